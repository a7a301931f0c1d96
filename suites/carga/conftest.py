"""The go-live burst is evidence on request: ``pytest suites`` leaves out tests marked ``carga`` unless ``-m`` names
the marker (``pytest suites -m carga --target URL``), so the plain contract run stays fast.

They are dropped from the collection rather than reported as deselected: a plain run is a complete contract run,
and the suite plugin calls any run with deselected scenarios partial.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("homologa_with_load", False) or "carga" in (config.getoption("markexpr") or ""):
        return
    items[:] = [item for item in items if item.get_closest_marker("carga") is None]
