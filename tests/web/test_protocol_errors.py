"""Broken API requests end in messages that say what happened: dates that are not dates,
methods a path does not take, a write's 422 as documented (broken HTTP answers to the
fetcher: fetch/test_protocol_errors.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tearsheet.config import load_settings
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.served import serve


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    from tearsheet.web import create_app

    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
                             api={"token": "t" * 20})
    store = Store.open(settings.database_url)
    try:
        with serve(create_app(settings, store)) as base:
            yield base
    finally:
        store.close()


@pytest.mark.parametrize("moment", ["0.5", "12", "1e9", "yesterday"])
def test_changed_since_takes_dates_not_numbers(site: str, moment: str) -> None:
    answer = webclient.get(site + "/api/v1/articles", params={"changed_since": moment})
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["query", "changed_since"] and "ISO 8601" in problem["msg"]
    ok = webclient.get(site + "/api/v1/articles", params={"changed_since": "2026-11-20"})
    assert ok.status_code == 200


def test_options_and_405_name_every_method_of_the_path(site: str) -> None:
    options = webclient.options(site + "/api/v1/sources")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, OPTIONS, POST"
    for method, path, allow in [("PUT", "/api/v1/sources", "GET, OPTIONS, POST"),
                                ("DELETE", "/api/v1/changes", "GET, OPTIONS"),
                                ("POST", "/", "GET, OPTIONS")]:
        answer = webclient.request(method, site + path)
        assert answer.status_code == 405, (method, path)
        assert answer.headers["allow"] == allow
        assert method in answer.text


def test_a_422_of_a_write_is_a_list_as_documented(site: str) -> None:
    answer = webclient.post(site + "/api/v1/sources", json={"name": "empty"},
                            headers={"Authorization": "Bearer " + "t" * 20})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert isinstance(detail, list) and "at least one feed" in detail[0]["msg"]
    schema = webclient.get(site + "/openapi.json").json()
    documented = schema["paths"]["/api/v1/sources"]["post"]["responses"]
    assert {"400", "401", "403", "409", "422"} <= set(documented)
    assert documented["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "HTTPValidationError")
