"""The go-live burst is evidence on request: ``pytest suites`` deselects tests marked ``carga`` unless ``-m`` names
the marker (``pytest suites -m carga --target URL``), so the plain contract run stays fast."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "carga" in (config.getoption("markexpr") or ""):
        return
    dropped = [item for item in items if item.get_closest_marker("carga") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item.get_closest_marker("carga") is None]
