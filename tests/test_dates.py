"""Written-out dates in six languages: accepted forms, month names, and the errors for bad ones."""

from __future__ import annotations

import datetime as dt

import pytest
from kzshutdowns.dates import (
    FIRST_TWEET,
    MONTHS,
    DateFormatError,
    implausible,
    month_number,
    parse_date,
    today,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("December 16, 2016", "2016-12-16"),
        ("Dec. 16 2016", "2016-12-16"),
        ("16 December 2016", "2016-12-16"),
        ("16 décembre 2016", "2016-12-16"),
        ("1er décembre 2016", "2016-12-01"),
        ("16 fevrier 2016", "2016-02-16"),
        ("16. Dezember 2016", "2016-12-16"),
        ("3 März 2017", "2017-03-03"),
        ("16 декабря 2016 г.", "2016-12-16"),
        ("16 декабря 2016г", "2016-12-16"),
        ("16 дек. 2016 г.", "2016-12-16"),
        ("3 сент. 2016", "2016-09-03"),
        ("16 желтоқсан 2016 ж.", "2016-12-16"),
        ("16 كانون الأول 2016", "2016-12-16"),
        ("16 ديسمبر 2016", "2016-12-16"),
        ("16 كانون الأول/ديسمبر 2016", "2016-12-16"),
        ("16 كانون الأول (ديسمبر) 2016", "2016-12-16"),
        ("١٦ كانون الأول ٢٠١٦", "2016-12-16"),
        ("9 أيار/مايو 2016", "2016-05-09"),
        ("9 ايار 2016", "2016-05-09"),
        ("21 إبريل، 2016", "2016-04-21"),
        ("1 تشرين الثاني 2016", "2016-11-01"),
        ("2016-12-16", "2016-12-16"),
        ("  December   16 ,  2016 ", "2016-12-16"),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("February 30, 2016", "impossible date"),
        ("29 февраля 2015 г.", "impossible date"),
        ("2016-13-01", "impossible date"),
        ("Decembruary 16, 2016", "unknown month name"),
        ("16 كانون الأول/نوفمبر 2016", "disagree"),
        ("yesterday", "not a date"),
        ("December 2016", "not a date"),
        ("", "not a date"),
    ],
)
def test_bad_dates_say_what_is_wrong(text, problem):
    with pytest.raises(DateFormatError, match=problem):
        parse_date(text)


def test_every_month_has_levantine_and_egyptian_arabic_names():
    levantine = [
        "كانون الثاني",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين الأول",
        "تشرين الثاني",
        "كانون الأول",
    ]
    egyptian = [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ]
    assert [month_number(name) for name in levantine] == list(range(1, 13))
    assert [month_number(name) for name in egyptian] == list(range(1, 13))
    assert set(MONTHS.values()) == set(range(1, 13))
    assert month_number("Brumaire") is None


def test_dates_run_from_the_first_tweet_to_today():
    # A tweet or event dated before Twitter existed, or in the future, was taken as written.
    assert dt.date(2006, 3, 21) == FIRST_TWEET
    assert implausible(dt.date(2006, 3, 21)) is None and implausible(today()) is None
    assert implausible(dt.date(2006, 3, 20)).startswith("is before 2006-03-21, the day of the first tweet")
    assert implausible(today() + dt.timedelta(days=1)).startswith(f"is after today ({today().isoformat()})")
    # a month is plausible if any of its days is
    assert implausible(dt.date(2006, 3, 1), dt.date(2006, 3, 31)) is None
    assert implausible(dt.date(2006, 2, 1), dt.date(2006, 2, 28)) is not None
    # today is the latest calendar day anywhere (UTC+14): never before the day in UTC
    assert today() >= dt.datetime.now(dt.UTC).date()
