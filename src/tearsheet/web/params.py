"""Path parameters shared by the pages, the feeds and the API.

An id past the database's integer range is the client's mistake (a 400), not an overflow
inside the driver (a 500), so every route that takes an id or a version number bounds it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BeforeValidator

from tearsheet.diff.intents import INTENT_PATTERN
from tearsheet.store.schema import MAX_ID

ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="An article's id.")]
Number = Annotated[int, Path(ge=1, le=2**31 - 1, description="A version number.")]
IntentParam = Annotated[str | None, Query(
    pattern=INTENT_PATTERN,
    description="Only changes of this intent (fact, style, narrative) or fine label "
                "(figure, name, quote, added_information, …).")]


def iso_only(value: Any) -> Any:
    """A moment must be written as ISO 8601: pydantic would read ``0.5`` or ``12`` as
    seconds since 1970, which no one asking for "changed since" means."""
    if isinstance(value, str) and not re.match(r"^\s*\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not an ISO 8601 date or time (e.g. 2026-11-20 or "
                         "2026-11-20T08:00:00Z)")
    return value


Moment = Annotated[datetime | None, BeforeValidator(iso_only), Query(
    description="ISO 8601 date or time (UTC unless it says otherwise).")]
