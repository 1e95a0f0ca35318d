"""Path parameters shared by the pages, the feeds and the API.

An id past the database's integer range is the client's mistake (a 400), not an overflow
inside the driver (a 500), so every route that takes an id or a version number bounds it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from tearsheet.diff.intents import INTENT_PATTERN
from tearsheet.store.schema import MAX_ID

ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="An article's id.")]
Number = Annotated[int, Path(ge=1, le=2**31 - 1, description="A version number.")]
IntentParam = Annotated[str | None, Query(
    pattern=INTENT_PATTERN,
    description="Only changes of this intent (fact, style, narrative) or fine label "
                "(figure, name, quote, added_information, …).")]
