"""pytest plugin of the contract suite (entry point ``pytest11: homologa``): options, report header, fixtures.

Loaded in every pytest run where homologa is installed, so it stays cheap: options are resolved and checked at
start-up (a bad one is a pt-BR usage error, exit code 4), and everything costly — the contract pack, the HTTP
client, the embedded reference distributor — lives in fixtures that only the suite's tests ask for. Never imports
Locust or gevent. Option and fixture names avoid Locust's own plugin (``--host``/``-H``, ``session``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from homologa.suite.evidence import RunFolder, discard_if_empty
from homologa.suite.options import DEFAULT_CONTRACT, RawOptions, Settings, SettingsError, resolve

if TYPE_CHECKING:
    from homologa.contract import ContractPack
    from homologa.golden import Golden
    from homologa.judgement import Judgement
    from homologa.suite.client import ContractClient
    from homologa.suite.runner import Scenario
    from homologa.suite.scenarios import Customers


@dataclass
class RunState:
    """Per-run state of the plugin (kept in ``config.stash``, never global)."""

    settings: Settings
    seed: int
    used: bool = False  # some test asked for the suite's fixtures
    advisory: list[tuple[str, str, str]] = field(default_factory=list)  # (nodeid, rule, whole message)
    stopped: str | None = None  # why the session was stopped early (dead or hanging target)
    judgement: Judgement | None = None  # the run's verdict (product suite runs, at session finish)


STATE = pytest.StashKey[RunState]()
RUN = pytest.StashKey[RunFolder]()  # the run's own evidence folder (set by the product suite's conftest)
RULE = pytest.StashKey[str]()  # a scenario's rule as judged (R3 when it changes a declared protected field)


def pytest_addoption(parser: pytest.Parser) -> None:
    # The plugin loads in every pytest run of the environment it is installed in, so it claims no generic option
    # name another plugin or a project's conftest may own (pytest refuses to start when two register the same one):
    # those carry the homologa- prefix. Every destination is prefixed too (a shared one would be silently mixed).
    group = parser.getgroup("homologa", "homologa — suíte de contrato v1 (pytest suites --target URL)")
    group.addoption(
        "--target",
        dest="homologa_target",
        metavar="URL",
        help="endpoint do ERP (senão HOMOLOGA_TARGET, o perfil ou o embutido)",
    )
    group.addoption(
        "--homologa-profile",
        dest="homologa_profile",
        metavar="ARQUIVO",
        help="perfil do distribuidor (homologacao.toml; senão HOMOLOGA_PROFILE)",
    )
    group.addoption(
        "--homologa-timeout",
        dest="homologa_timeout",
        metavar="S",
        help="tempo limite da troca inteira de cada requisição, em segundos (padrão 10)",
    )
    group.addoption(
        "--homologa-basic-auth",
        dest="homologa_basic_auth",
        metavar="USUARIO:SENHA",
        help="autenticação Basic (senão HOMOLOGA_BASIC_AUTH)",
    )
    group.addoption(
        "--homologa-bearer",
        dest="homologa_bearer",
        metavar="TOKEN",
        help="Authorization: Bearer TOKEN (senão HOMOLOGA_BEARER)",
    )
    group.addoption(
        "--homologa-header",
        dest="homologa_header",
        action="append",
        default=[],
        metavar="'Nome: valor'",
        help="cabeçalho extra (repetível)",
    )
    group.addoption(
        "--homologa-client-cert", dest="homologa_client_cert", metavar="PEM", help="certificado do cliente (mTLS)"
    )
    group.addoption(
        "--homologa-client-key",
        dest="homologa_client_key",
        metavar="PEM",
        help="chave do certificado do cliente (mTLS)",
    )
    group.addoption(
        "--homologa-ca-bundle", dest="homologa_ca_bundle", metavar="PEM", help="CAs para verificar o TLS do alvo"
    )
    group.addoption(
        "--homologa-insecure",
        dest="homologa_insecure",
        action="store_true",
        default=False,
        help="não verifica o TLS (só em homologação)",
    )
    group.addoption(
        "--protected-fields",
        dest="homologa_protected_fields",
        metavar="CAMPOS",
        help="campos que o ERP não sobrescreve: telefone,endereco,...",
    )
    group.addoption(
        "--customer-seed",
        dest="homologa_customer_seed",
        metavar="N",
        help="semente dos CNPJs novos (reproduz uma rodada)",
    )
    group.addoption(
        "--contract",
        "--contrato",
        dest="homologa_contract",
        metavar="NOME|PASTA",
        help="pacote de contrato do alvo (padrão 1; ex.: v1-soap; senão HOMOLOGA_CONTRACT ou [alvo] contrato)",
    )


def _raw(config: pytest.Config) -> RawOptions:
    opt = config.getoption
    return RawOptions(
        target=opt("homologa_target"),
        profile=opt("homologa_profile"),
        timeout=opt("homologa_timeout"),
        basic_auth=opt("homologa_basic_auth"),
        bearer=opt("homologa_bearer"),
        headers=tuple(opt("homologa_header") or ()),
        client_cert=opt("homologa_client_cert"),
        client_key=opt("homologa_client_key"),
        ca_bundle=opt("homologa_ca_bundle"),
        insecure=bool(opt("homologa_insecure")),
        protected_fields=opt("homologa_protected_fields"),
        # ``--strict`` is pytest's own flag (strict markers, xfail, config): homologa reads it too, and with it
        # best practice (B1, B2) becomes blocking.
        strict=bool(config.getini("strict")),
        seed=opt("homologa_customer_seed"),
        contract=opt("homologa_contract"),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "regra(codigo, campos=()): regra do contrato que o cenário prova (R1..R6, B1, B2); R3 quando muda um dos "
        "campos declarados protegidos",
    )
    try:
        settings = resolve(_raw(config), os.environ)
        if settings.auth.client_cert or settings.auth.ca_bundle:
            from homologa.suite.tls import TLSSetupError, ssl_context

            try:
                ssl_context(settings.auth)
            except TLSSetupError as exc:
                raise SettingsError(str(exc)) from None
        if settings.contract != DEFAULT_CONTRACT:  # chosen on purpose: a broken pack is a usage error, up front
            from homologa.contract import ContractPackError, load_pack

            try:
                load_pack(settings.contract)
            except ContractPackError as exc:
                raise SettingsError(f"contrato ({settings.contract_source}): {exc}") from None
    except SettingsError as exc:
        stopped = config.stash.get(RUN, None)
        if stopped is not None:
            discard_if_empty(stopped)
        raise pytest.UsageError(f"homologa: {exc}") from None
    # one seed per second (as scenarios.run_seed): runs in distinct seconds send disjoint new CNPJs; runs of this
    # checkout started in the same second claim distinct seeds (homologa.runs.claim_seed)
    seed = settings.seed if settings.seed is not None else int(time.time()) % 10**8
    run = config.stash.get(RUN, None)
    if settings.seed is None and run is not None:
        from homologa.runs import claim_seed

        seed = claim_seed(run.folder.parent, seed, 10**8)
    config.stash[STATE] = RunState(settings=settings, seed=seed)


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash.get(STATE, None)
    if state is None:
        return []
    s = state.settings
    lines = [
        f"homologa: alvo {s.masked_target} (origem: {s.target_source}); timeout {s.timeout:g} s; "
        f"semente de clientes {state.seed}{'; estrito' if s.strict else ''}",
        f"homologa: contrato {s.contract} (origem: {s.contract_source})",
    ]
    if s.profile is not None:
        lines.append(f"homologa: perfil {s.profile.path}")
    run = config.stash.get(RUN, None)
    if run is not None:
        lines.append(f"homologa: execução {run.id} (evidências em {run.folder})")
    return lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "homologa_golden" in metafunc.fixturenames:
        from homologa.golden import load_golden

        names = [g.name for g in load_golden() if g.expected_status == "PEN"]
        metafunc.parametrize("homologa_golden", names, ids=names, indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A run that collects scenarios (tests using the ``homologa`` fixture) is a homologation: print a verdict."""
    state = config.stash.get(STATE, None)
    if state is not None and any("homologa" in getattr(item, "fixturenames", ()) for item in items):
        state.used = True


def pytest_deselected(items: list[pytest.Item]) -> None:
    if not items:
        return
    run = items[0].config.stash.get(RUN, None)
    if run is not None:
        run.deselected += sum(item.get_closest_marker("regra") is not None for item in items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The run's record, written as soon as the selection is known (the report's only source about the run)."""
    config = session.config
    state, run = config.stash.get(STATE, None), config.stash.get(RUN, None)
    if state is None or run is None:
        return
    from homologa.contract import load_pack
    from homologa.suite import evidence

    run.selected = sum(item.get_closest_marker("regra") is not None for item in session.items)
    pack = load_pack(state.settings.contract)
    selection = {
        "k": config.getoption("keyword") or None,
        "m": config.getoption("markexpr") or None,
        "caminhos": [str(a) for a in config.args],
        "selecionados": run.selected,
        "desmarcados": run.deselected,
        "parcial": evidence.narrowed(config, run.suite_root),
    }
    evidence.fill_start(
        run,
        settings=state.settings,
        seed=state.seed,
        contract=(pack.version, pack.sha256, pack.name),
        args=config.invocation_params.args,
        selection=selection,
    )
    try:
        from homologa.runs import write_record

        write_record(run.folder, run.record)
    except Exception as exc:
        run.problems.append(str(exc))


# --- fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def homologa_settings(pytestconfig: pytest.Config) -> Settings:
    """The run's checked settings (command line > environment > profile)."""
    return pytestconfig.stash[STATE].settings


@pytest.fixture(scope="session")
def homologa_pack(homologa_settings: Settings) -> ContractPack:
    """The contract pack the run speaks (``--contract``; v1 by default)."""
    from homologa.contract import load_pack

    return load_pack(homologa_settings.contract)


@pytest.fixture(scope="session")
def homologa_target(
    homologa_settings: Settings, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The endpoint under test; without a target, the embedded reference distributor on a free loopback port."""
    if homologa_settings.target:
        yield homologa_settings.target
        return
    from homologa.suite.embedded import embedded_distributor

    db_path = tmp_path_factory.mktemp("homologa-embutido") / "distribuidor.sqlite3"
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(
                embedded_distributor(db_path, homologa_settings.protected_fields, contract=homologa_settings.contract)
            )
        except Exception as exc:
            from homologa.suite.errors import HarnessError

            request.session.shouldfail = "homologa: o distribuidor de referência embutido não iniciou"
            raise HarnessError(f"o distribuidor de referência embutido não iniciou: {exc}") from exc
        yield url


@pytest.fixture(scope="session")
def homologa_client(
    homologa_target: str, homologa_settings: Settings, homologa_pack: ContractPack, pytestconfig: pytest.Config
) -> Iterator[ContractClient]:
    """The HTTP client for the target (auth, TLS, timeouts, 1 MiB cap, read deadline); writes the run's metadata."""
    from homologa.suite.client import ContractClient

    state = pytestconfig.stash[STATE]
    client = ContractClient(homologa_target, homologa_pack, homologa_settings.timeout, homologa_settings.auth)
    try:
        yield client
    finally:
        client.close()
        results_dir = getattr(pytestconfig.option, "allure_report_dir", None)
        if results_dir:
            from homologa.suite.reporting import write_run_metadata

            write_run_metadata(
                Path(results_dir),
                homologa_settings,
                homologa_pack.version,
                homologa_pack.sha256,
                state.seed,
                pack_name=homologa_pack.name,
            )


@pytest.fixture(scope="session")
def homologa_run_dir(pytestconfig: pytest.Config) -> Path | None:
    """This run's own evidence folder (``reports/execucoes/<id>``), or None outside the product suite."""
    run = pytestconfig.stash.get(RUN, None)
    return run.folder if run is not None else None


@pytest.fixture(scope="session")
def homologa_goldens() -> dict[str, Golden]:
    """The golden messages shipped with this version, by name."""
    from homologa.golden import load_golden

    return {g.name: g for g in load_golden()}


@pytest.fixture
def homologa_golden(request: pytest.FixtureRequest, homologa_goldens: dict[str, Golden]) -> Golden:
    """One golden message (parametrized over every golden whose expected status is PEN)."""
    return homologa_goldens[request.param]


@pytest.fixture(scope="session")
def homologa_customers(pytestconfig: pytest.Config) -> Customers:
    """Fresh customers for this run (CNPJs from the seed shown in the report header)."""
    from homologa.suite.scenarios import Customers

    return Customers(pytestconfig.stash[STATE].seed)


@pytest.fixture
def homologa(
    request: pytest.FixtureRequest,
    homologa_client: ContractClient,
    homologa_customers: Customers,
    homologa_settings: Settings,
) -> Scenario:
    """The scenario driver for one test: ``homologa.send(cliente, step=..., expect=...)``."""
    from homologa.suite import reporting
    from homologa.suite.errors import HarnessError
    from homologa.suite.runner import Scenario

    marker = request.node.get_closest_marker("regra")
    if marker is None or not marker.args:
        raise HarnessError(f"cenário {request.node.nodeid} sem @pytest.mark.regra('Rn')")
    rule = str(marker.args[0])
    if set(marker.kwargs.get("campos", ())) & set(homologa_settings.protected_fields):
        rule = "R3"  # the scenario changes a field the distributor declared protected
    request.node.stash[RULE] = rule
    title, params = _title(request)
    story = (request.module.__doc__ or request.module.__name__).strip().splitlines()[0]
    run = request.config.stash.get(RUN, None)
    reporting.label_test(rule, story, homologa_settings, params, run.id if run else None)

    state = request.config.stash[STATE]

    def stop_session(message: str) -> None:
        state.stopped = message
        request.session.shouldfail = message

    return Scenario(
        title=title,
        rule=rule,
        client=homologa_client,
        customers=homologa_customers,
        settings=homologa_settings,
        stop_session=stop_session,
        rerun=_rerun(request.node.nodeid, homologa_settings),
    )


def _rerun(nodeid: str, settings: Settings) -> str:
    """``pytest 'suites/...::test[param]' --target URL``: the scenario again, with this run's options' target and a
    new seed (fresh CNPJs and IdMensagens), secrets masked."""
    target = f" --target '{settings.masked_target}'" if settings.target else ""
    return f"pytest '{nodeid}'{target}"


def _title(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    """The test's pt-BR title (its docstring's first line, ``{param}`` filled in) and its parameters as text."""
    doc = str(request.function.__doc__ or request.node.name).strip().splitlines()[0]
    callspec = getattr(request.node, "callspec", None)
    params: dict[str, str] = {}
    if callspec is not None:
        from homologa.suite.scenarios import FIELD_NAMES

        params = {k: FIELD_NAMES.get(str(v), str(getattr(v, "name", v))) for k, v in callspec.params.items()}
    try:
        return str(doc.format(**params)), params
    except (KeyError, IndexError, ValueError):
        return doc, params


# --- verdict shaping ------------------------------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A contract violation is shown as its message (no traceback); best practice only blocks with --strict."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    state = item.config.stash.get(STATE, None)
    if state is None:
        return
    _shape(item, call, report, state)
    run = item.config.stash.get(RUN, None)
    if run is not None and item.get_closest_marker("regra") is not None:
        from homologa.suite.evidence import record_outcome

        record_outcome(run, item.nodeid, _rule_of(item), report, call.excinfo)


def _rule_of(item: pytest.Item) -> str:
    rule = item.stash.get(RULE, None)
    if rule is None:
        marker = item.get_closest_marker("regra")
        rule = str(marker.args[0]) if marker is not None and marker.args else "outros"
    return rule


def _shape(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport, state: RunState) -> None:
    if call.excinfo is None:
        return
    from homologa.rules import RULES
    from homologa.suite.errors import ContractViolation, HarnessError

    exc = call.excinfo.value
    if isinstance(exc, HarnessError):
        report.longrepr = f"[falha do próprio homologa] {exc} (não é defeito do distribuidor)"
        return
    if not isinstance(exc, ContractViolation) or report.when != "call":
        return
    report.longrepr = exc.message
    from homologa.suite.diagnosis import note

    note(item.config.stash, exc.symptom)
    report.user_properties.append(("categoria", exc.category))
    report.user_properties.append(("regra", exc.rule))
    report.user_properties.append(("regra_violada", exc.violated))
    known = RULES.get(exc.rule)
    if known is not None and not known.blocking and not state.settings.strict:
        first = exc.message.splitlines()[0]
        report.outcome = "skipped"
        report.wasxfail = f"boa prática {exc.rule} não atendida (consultiva; reprova só com --strict): {first}"
        state.advisory.append((item.nodeid, exc.rule, exc.message))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The verdict, once, from the outcomes and the run's completeness; the record; the exit code."""
    config = session.config
    state, run = config.stash.get(STATE, None), config.stash.get(RUN, None)
    if state is None or run is None or not state.used:
        return
    from homologa.judgement import INCONCLUSIVE
    from homologa.suite.evidence import finish

    interrupted = "o alvo parou de responder (falha de transporte)" if state.stopped else None
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        interrupted = interrupted or "interrompida pelo usuário"
    elif session.shouldstop:
        interrupted = interrupted or "parou antes do fim (-x/--maxfail)"
    state.judgement = finish(run, state.settings, interrupted)
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        return
    if run.problems or state.judgement.verdict == INCONCLUSIVE:
        # a harness fault or incomplete evidence is never a contract failure of the ERP (1) nor a pass (0)
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None or not state.used:
        return
    stats = terminalreporter.stats
    ran = sum(len(stats.get(key, [])) for key in ("passed", "failed", "error", "xfailed", "xpassed", "skipped"))
    if ran == 0 and state.judgement is None:  # --collect-only: no verdict to give
        return
    terminalreporter.section("veredito da homologação (contrato v1)")
    run = config.stash.get(RUN, None)
    if state.judgement is not None:
        color = {"aprovado": "green", "aprovado com ressalvas": "yellow"}.get(state.judgement.verdict, "red")
        terminalreporter.line(state.judgement.line, **{color: True})
    else:  # the plugin outside the product suite (no run folder, no record): counts only, never a sign-off
        failed, errors = len(stats.get("failed", [])), len(stats.get("error", []))
        if errors:
            terminalreporter.line(
                f"INCOMPLETO: {errors} cenário(s) não rodaram por falha do próprio homologa", red=True
            )
        if failed:
            terminalreporter.line(f"{failed} cenário(s) violam regras do contrato", red=True)
        terminalreporter.line(
            "fora da suíte de produto (pytest suites): sem registro de execução, não vale como homologação"
        )
    from homologa.suite.diagnosis import probable_cause

    if cause := probable_cause(config.stash, ran, state.settings.masked_target, stopped=state.stopped is not None):
        terminalreporter.line(cause, red=True, bold=True)
    if state.stopped:
        terminalreporter.line("a rodada parou na primeira falha de transporte: o alvo não responde", red=True)
    if not state.settings.target:
        from homologa.suite.evidence import EMBEDDED_NOTICE

        terminalreporter.line(EMBEDDED_NOTICE, yellow=True)
    for nodeid, rule, message in state.advisory:
        terminalreporter.line(f"boa prática {rule} não atendida (consultiva, use --strict para reprovar): {nodeid}")
        lines = message.splitlines()
        for line in lines[:1] + [x for x in lines if x.startswith(("Esperado:", "Recebido:"))]:
            terminalreporter.line(f"    {line}")
    terminalreporter.line(f"alvo: {state.settings.masked_target} · semente de clientes: {state.seed}")
    if run is not None:
        terminalreporter.line(f"execução {run.id}: evidências em {run.folder} (homologa relatorio --execucao {run.id})")
        for problem in run.problems:
            terminalreporter.line(f"[falha do próprio homologa] evidência incompleta: {problem}", red=True)
