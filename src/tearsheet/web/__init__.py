"""The web UI: server-rendered pages to browse, read and compare versions.

The web never fetches: it reads the store (through :class:`tearsheet.store.browse.Browse`) and
renders with Jinja2, escaping everything that came from the web.
"""

from tearsheet.web.app import create_app

__all__ = ["create_app"]
