"""The product suite: its Allure results go to reports/allure-results (cleaned each run) unless --alluredir is given.

A scenario's failure is shown as its pt-BR message, never as a traceback, so pytest's source-based traceback
rendering (an AST walk per failure, ~40 ms each) is replaced by the cheap native one unless ``--tb`` is given.
Everything else — options, fixtures, the verdict — comes from the homologa pytest plugin (entry point pytest11).
"""

from __future__ import annotations

import pytest

from homologa.suite.reporting import default_results_dir


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    default_results_dir(config, config.rootpath)
    if config.option.tbstyle == "auto":
        config.option.tbstyle = "native"
