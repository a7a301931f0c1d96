"""The harness's own tests: their two tiers, a guard for a distributor who typed ``pytest --target URL``, and run
folders kept out of the checkout (every suite run the tests make writes its ``reports/execucoes/<id>`` to a temporary
directory).

Tiers: ``pytest -m "not lento"`` (under 60 s) and ``pytest`` (everything).

A test is *lento* when it starts processes (Locust, the server as a subprocess, the whole suite once per fault),
waits wall-clock time, or builds the Allure report with Node. Those are listed here, in one place, rather than
marked in each file: the list is what a contributor reviews when the fast tier gets slow. Figures behind it: the
``--durations`` table of a full run (see docs/desempenho.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from homologa.runs import BASE_ENV

HERE = Path(__file__).parent
SUITES = HERE.parent / "suites"
NOT_THE_SUITE = (
    "homologa: --target sem 'suites' rodaria os testes internos do próprio homologa (tests/), não a homologação "
    "do seu ERP; use: pytest suites --target URL"
)

# whole modules: every test in them starts processes or Node
SLOW_MODULES = frozenset(
    {
        "test_load_runs.py",  # real Locust runs (master/workers) against the reference server
        "test_load_tls.py",  # Locust runs against TLS/mTLS targets
        "test_suite_e2e.py",  # the whole suite once per reference-server fault
        "test_server_process.py",  # `homologa servir` as a subprocess, SIGTERM and kill -9
        "report/test_report_package.py",  # homologa pacote/verificar/comparar over real reports (Node)
        "report/test_report_real_suite.py",  # the real contract suite, then the report
        "report/test_report_browser.py",  # headless Chromium
        "report/test_report_allure.py",  # the Allure 3 CLI (Node)
        "report/test_report_archive.py",  # packages over a real report (Node), hostile zips
        "report/test_report_burst_evidence.py",  # real Locust bursts into shared, killed and resumed load folders
        "test_run_evidence.py",  # real `pytest suites` processes, concurrent, with the burst
        "test_server_abuse.py",  # slow peers, SIGTERM, a second process holding the database lock
        "test_server_guard.py",  # header/body/idle timeouts waited on the clock
        "test_suite_deadline.py",  # trickling peers waited on the clock
        "test_suite_new_cnpjs.py",  # a reference distributor pre-loaded with ~200k customers
        "test_suite_identity.py",  # the suite once per identity fault
        "test_suite_diagnosis.py",  # the suite against misconfigured targets
    }
)

# single tests that take about a second or more, or wait on the clock: ``module::function`` (every parameter of it)
# or ``module::function[parameter]`` (that one only)
SLOW_TESTS = frozenset(
    {
        "test_generator.py::test_memory_stays_flat_whatever_n",
        "test_server_concurrency.py::test_concurrent_resends_never_duplicate_nor_lose_updates",
        "test_server_faults.py::test_fault_does_what_it_says[trava]",
        "test_server_faults.py::test_fault_does_what_it_says[lento]",
        "test_suite_plugin.py::test_hanging_target_ends_the_run_after_one_timeout",
        "test_suite_plugin.py::test_latency_budget_is_advisory_then_blocking_with_strict",
        "test_suite_plugin.py::test_mtls_target_with_client_certificate_passes",
        "test_suite_plugin.py::test_tls_problems_are_transport_failures",
        "test_generate_cli.py::test_unwritable_out_exits_2_in_one_line",
        "test_generate_cli.py::test_subprocess_bad_range_has_no_traceback",
        "test_generate_cli.py::test_real_console_script_path_works",
        "test_generator.py::test_cnpjs_unique_over_200k_indexes_and_across_the_ordem_boundary",
        "test_server_hostile.py::test_big_body_with_thousands_of_elements_is_400_before_parsing_and_server_keeps_serving",
        "test_suite_plugin.py::test_conforming_distributor_passes_however_it_spells_its_xml",
        "test_suite_plugin.py::test_failure_message_reads_top_to_bottom",
        "test_suite_plugin.py::test_the_rerun_command_reproduces_with_fresh_cnpjs_and_passes_once_fixed",
        "test_profile_strict.py::test_a_typo_stops_the_suite_the_cli_and_the_load_profile",
        "test_load_journal.py::test_ten_million_customers_leave_a_journal_under_one_megabyte_and_a_few_ranges_in_memory",
    }
)


def slow(module: str, name: str, param_name: str | None = None) -> bool:
    """Whether the test ``name`` of ``module`` (path relative to tests/) belongs to the slow tier; ``param_name`` is
    the parametrized item's name (``function[parameter]``)."""
    if module in SLOW_MODULES or f"{module}::{name}" in SLOW_TESTS:
        return True
    return param_name is not None and f"{module}::{param_name}" in SLOW_TESTS


@pytest.hookimpl(tryfirst=True)  # before -m "not lento" deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        try:
            module = item.path.relative_to(HERE).as_posix()
        except ValueError:
            continue  # not one of the harness's own tests
        name = getattr(item, "originalname", item.name)
        if slow(module, name, item.name):
            item.add_marker(pytest.mark.lento)


def _names_the_suite(arg: str) -> bool:
    path = Path(arg.split("::", 1)[0]).resolve()
    return path == SUITES or SUITES in path.parents


def pytest_configure(config: pytest.Config) -> None:
    """``pytest --target URL`` in the checkout collects these tests (``testpaths``), not the product suite: say so."""
    if config.getoption("homologa_target", None) and not any(_names_the_suite(arg) for arg in config.args):
        raise pytest.UsageError(NOT_THE_SUITE)


@pytest.fixture(autouse=True, scope="session")
def _run_folders_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(BASE_ENV, str(tmp_path_factory.mktemp("execucoes")))
        yield
