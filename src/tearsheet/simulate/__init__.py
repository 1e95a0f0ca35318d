"""A newsroom simulator: article histories played back as a live local news site.

Nobody can judge a news tracker without news that changes. This package serves, on
127.0.0.1, a news site whose articles are rewritten on an accelerated clock, with the
noise and the failures of real sites, and writes down what it served so that a
tracker's run can be scored (:mod:`tearsheet.simulate.score`). The demo, the integration tests and
the benchmarks all run against it.

- :mod:`.histories`: the JSONL history format, and the converter from archived captures;
- :mod:`.templates`: article pages modelled on real sites, fronts, feeds, sitemaps;
- :mod:`.faults`: failures on demand, deterministic with a seed;
- :mod:`.truth`: the ground-truth file;
- :mod:`.site`: the HTTP server and its clock;
- :mod:`.clock`: a clock kept in a file, which tests step.
"""

from tearsheet.simulate.clock import FileClock, write_clock
from tearsheet.simulate.faults import FaultPlan
from tearsheet.simulate.histories import (
    Version,
    convert_captures,
    convert_files,
    load_histories,
    parse_histories,
    write_histories,
)
from tearsheet.simulate.site import NewsSite
from tearsheet.simulate.templates import SITE_NAME, article_page, atom_feed, rss_feed
from tearsheet.simulate.truth import TruthVersion, read_truth, write_truth

__all__ = [
    "SITE_NAME", "FaultPlan", "FileClock", "NewsSite", "TruthVersion", "Version",
    "article_page", "atom_feed", "convert_captures", "convert_files", "load_histories",
    "parse_histories", "read_truth", "rss_feed", "write_clock", "write_histories",
    "write_truth",
]
