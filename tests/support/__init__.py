"""What the tests share: local servers, stores with history, sample pages, noise and edits.

Test modules import from here, never from each other; ``tests/conftest.py`` holds only the
fixtures built on these helpers.
"""
