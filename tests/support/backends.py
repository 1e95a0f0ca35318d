"""The store backends a test parametrized on ``backend`` runs on, once each."""

from __future__ import annotations

BACKENDS = ["sqlite", "postgresql"]
