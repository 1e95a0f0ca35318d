"""The test tree mirrors the package: ``tests/<stage>/`` tests ``tearsheet/<stage>/``
(fetch, extract, diff, store, tracker, archive, export, notify, web, cli, simulate); the
top holds the shared modules' tests (config, errors, urls, discover, humanize) and
``test_layers.py``, which enforces the packages' layering. Helpers shared between test
modules live in ``tests/support/``; ``conftest.py`` holds fixtures only."""
