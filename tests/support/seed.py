"""The seed story: versions 6 and 7 read back from the NewsSniffer page, and its copy.

``shared/seeds/001_…txt`` shows the two versions side by side, one row per paragraph: the
version 6 paragraph, then the version 7 one, on one line. Each entry of
:data:`V7_STARTS` is how a row's version 7 paragraph begins, so a row is cut there; rows
past the last entry hold version 6 alone (version 7 is shorter).
"""

from __future__ import annotations

import json

from tests.support.shared import shared_path

PAGE = "001_821844d770418863.txt"
COPY = "000_c53f4fb7aa1545c4.txt"
URL = "https://www.nytimes.com/2022/01/07/world/asia/kazakhstan-protests.html"
TITLES = (
    "Kazakhstan’s President Says Security Forces Can ‘Fire Without Warning’ to Quell Unrest",
    "In Kazakhstan’s Street Battles, Signs of Elites Fighting Each Other",
)
V7_STARTS = (
    "BISHKEK, Kyrgyzstan — It came", "But it remains a mystery", "The violence this week in",
    "The crisis coincided", "With Kazakhstan now largely", "Echoing the refrain",
    "Not many people are buying", "But there is growing evidence", "President Tokayev, in an",
    "Danil Kislov", "At the height of the tumult", "The riots in Almaty",
    "“This was all artificially", "Galym Ageleulov", "He said the mob",
    "Among those who urged", "On Friday, the interior ministry", "Secretary of State Antony",
    "“One lesson in recent", "That a possible power struggle", "Discontent, even if",
    "But whatever the relative", "The roots of that discontent",
    "The region’s senior official", "Mukhtar Umbetov", "“Kazakhstan is a rich country",
    "Shocked by violence", "Mr. Courtney described", "The title of the hearing",
    "Ivan Nechepurenko reported from Bishkek, and",
)


def versions() -> tuple[str, str]:
    """The bodies of versions 6 and 7 (paragraphs separated by blank lines)."""
    lines = shared_path("seeds", PAGE).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("(about ")) + 1
    rows = [line.strip() for line in lines[start:] if line.strip()]
    six: list[str] = []
    seven: list[str] = []
    for index, row in enumerate(rows):
        if index < len(V7_STARTS):
            cut = row.index(V7_STARTS[index], 1)
            six.append(row[:cut].strip())
            seven.append(row[cut:].strip())
        else:
            six.append(row)
    return "\n\n".join(six), "\n\n".join(seven)


def copy() -> str:
    """The seed's rewritten, dated copy of version 6."""
    return shared_path("seeds", COPY).read_text(encoding="utf-8")


def histories() -> dict[str, list[str]]:
    """The distinct bodies of each article of ``shared/corpora/histories``, in order."""
    found: dict[str, list[str]] = {}
    for path in sorted(shared_path("corpora", "histories").glob("*.json")):
        bodies: list[str] = []
        for capture in json.loads(path.read_text(encoding="utf-8")):
            text = capture["article"]["text"]
            if text not in bodies:
                bodies.append(text)
        found[path.name.removesuffix("_all_versions.json")] = bodies
    return found
