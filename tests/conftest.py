"""Every suite run made by these tests (in-process or as a subprocess) keeps its run folder in a temporary
directory, never in the checkout's ``reports/execucoes``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from homologa.runs import BASE_ENV


@pytest.fixture(autouse=True, scope="session")
def _run_folders_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(BASE_ENV, str(tmp_path_factory.mktemp("execucoes")))
        yield
