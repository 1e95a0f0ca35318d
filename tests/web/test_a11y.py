"""Accessibility audit: axe-core in headless Chromium on every kind of page, in the light
and the dark theme. Serious and critical violations fail the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.served import budget_story, launch, new_page, serve_store

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
PAGES = ["/", "/?kind=correction_appended", "/sources", "/sources/daily-example",
         "/articles/1", "/articles/1/diff/1/2", "/articles/1/diff/1/3?view=inline",
         "/articles/1/versions/2", "/search", "/search?q=budget", "/stats", "/report", "/trace",
         "/nowhere"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_store(tmp_path_factory.mktemp("a11y"), budget_story) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def _summary(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at "
                     + ", ".join(str(n["target"]) for n in v["nodes"][:3])
                     for v in violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(site: str, browser: Any, scheme: str) -> None:
    # The pages' Content-Security-Policy forbids injected scripts: the audit's context
    # alone bypasses it, to run axe.
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    try:
        page = new_page(context)
        found = {}
        for path in PAGES:
            page.goto(site + path)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
            checked = {rule["id"] for kind in ("passes", "violations", "incomplete")
                       for rule in result[kind]}
            assert {"color-contrast", "landmark-one-main", "page-has-heading-one"} <= checked, path
            bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
            if bad:
                found[path] = _summary(bad)
        assert not found, "\n".join(f"{path}:\n{text}" for path, text in found.items())
    finally:
        context.close()
