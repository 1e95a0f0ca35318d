"""Fetch: pages over HTTP, politely and safely.

:class:`Fetcher` (global and per-host concurrency and delay, robots.txt, conditional GET,
manual redirects, retries, a size cap on the decompressed stream) over the connection layer
of :mod:`.transport` (internal addresses refused at connect time).
"""

from tearsheet.fetch.fetcher import Exchange, Fetcher, Response
from tearsheet.fetch.transport import is_blocked_address

__all__ = ["Exchange", "Fetcher", "Response", "is_blocked_address"]
