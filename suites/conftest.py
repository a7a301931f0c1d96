"""The product suite: every run gets its own folder, reports/execucoes/<id>/ (execucao.json, allure-results/, carga/).

A scenario's failure is shown as its pt-BR message, never as a traceback, so pytest's source-based traceback
rendering (an AST walk per failure, ~40 ms each) is replaced by the cheap native one unless ``--tb`` is given.
Everything else — options, fixtures, the verdict — comes from the homologa pytest plugin (entry point pytest11).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from homologa.suite.evidence import open_for_config
from homologa.suite.plugin import RUN


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("homologa").addoption(
        "--with-load",
        "--com-carga",  # the first spelling, kept as an alias
        dest="homologa_with_load",
        action="store_true",
        default=False,
        help="homologação completa: a suíte de contrato e a rajada do go-live (R6) na mesma execução",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not config.option.collectonly:
        # reports/execucoes under the folder pytest was run from: where `homologa relatorio` (run there) looks
        run = open_for_config(config, config.invocation_params.dir)
        run.suite_root = Path(__file__).parent  # a run of less than this folder is a partial selection
        config.stash[RUN] = run
    if config.option.tbstyle == "auto":
        config.option.tbstyle = "native"
