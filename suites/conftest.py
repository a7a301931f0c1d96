"""The product suite: every run gets its own folder, reports/execucoes/<id>/ (execucao.json, allure-results/, carga/).

A scenario's failure is shown as its pt-BR message, never as a traceback, so pytest's source-based traceback
rendering (an AST walk per failure, ~40 ms each) is replaced by the cheap native one unless ``--tb`` is given.
Everything else — options, fixtures, the verdict — comes from the homologa pytest plugin (entry point pytest11).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
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


CUSTOMERS_ENV = "HOMOLOGA_CARGA_CLIENTES"  # customers of the go-live burst (suites/carga)


def check_burst_customers(environ: Mapping[str, str]) -> None:
    """``HOMOLOGA_CARGA_CLIENTES``, when set, is a whole number above zero (else a pt-BR usage error, exit code 4)."""
    raw = environ.get(CUSTOMERS_ENV)
    if raw is None:
        return
    try:
        ok = int(raw.strip()) > 0
    except ValueError:
        ok = False
    if not ok:
        raise pytest.UsageError(
            f"homologa: {CUSTOMERS_ENV} deve ser um número inteiro de clientes maior que zero, recebeu {raw!r}"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("homologa_with_load", False) or "carga" in (config.getoption("markexpr") or ""):
        check_burst_customers(os.environ)  # before the run's folder: a usage error leaves no run behind
    if not config.option.collectonly:
        # reports/execucoes under the folder pytest was run from: where `homologa relatorio` (run there) looks
        run = open_for_config(config, config.invocation_params.dir)
        run.suite_root = Path(__file__).parent  # a run of less than this folder is a partial selection
        config.stash[RUN] = run
    if config.option.tbstyle == "auto":
        config.option.tbstyle = "native"
