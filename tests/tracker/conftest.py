"""Fixtures of the tracker's tests."""

from __future__ import annotations

import pytest

from tests.support.localserver import LocalServer
from tests.support.newsroom import Newsroom


@pytest.fixture
def newsroom(server: LocalServer) -> Newsroom:
    room = Newsroom(server)
    server.route("/feed.xml", room.feed)
    return room
