"""kz-shutdowns: Kazakhstan's recurring social-media shutdowns, from raw articles to a data paper."""

__version__ = "0.1.0"
