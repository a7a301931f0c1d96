"""The burst inside Locust: options, slice hand-out between master and workers, tally aggregation, verdict.

Imports locust/gevent (monkey-patching): only ``loadtests/locustfile.py`` and the benchmarks import this module.

Roles: the master (or the single local process) owns the :class:`~homologa.load.plan.Dispenser` and the total
:class:`~homologa.load.tally.Tally`; every worker (or the local process) owns a
:class:`~homologa.load.plan.SlicePool`. Custom messages:

* ``homologa:pedir`` worker -> master: "give me a slice"; answered by ``homologa:fatia`` with ``start``/``stop``,
  ``wait`` (re-sends wait for the first phase) or ``end`` (plan exhausted).
* ``homologa:feita`` worker -> master: a slice is fully answered, with the tally of that slice's answers. When every
  slice is reported, the plan is finished and the shape stops the run.
* ``homologa:parcial`` worker -> master: the tally of slices left unfinished when a run is stopped early.

A worker the master stops hearing from (Locust's heartbeat marks it ``missing`` after a few seconds, or it quit) is
*lost*: its unconfirmed slices go back to the dispenser and to the workers left, with the same indices (the same
IdMensagem); its answers to them were never counted (a slice's tally travels only with its confirmation), so the
tally stays exact; anything it still sends is ignored. With no worker left the run stops with exit 1.

In a single process (``LocalRunner``) Locust delivers these messages synchronously to the same process, so the same
code runs with and without ``--processes``/``--master``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import gevent
import gevent.event
from locust import events
from locust.env import Environment
from locust.runners import STATE_MISSING, MasterRunner, WorkerRunner

from homologa.categories import STATUS_DIVERGENTE
from homologa.load.checks import Outcome
from homologa.load.collapse import CollapseWatch
from homologa.load.journal import Journal, JournalError, read_plan, verify
from homologa.load.locust_tls import ContextFactory, context_factory
from homologa.load.plan import Dispenser, PlanShape, Slice, SlicePool, Wait
from homologa.load.record import identity, now_iso
from homologa.load.scenario import Scenario
from homologa.load.settings import (
    OPTIONS,
    LoadSettings,
    auth_headers,
    check_target,
    defaults_from,
    fresh_first_index,
    from_options,
    headers_from_env,
    profile_path_from_argv,
    read_profile,
)
from homologa.load.shapes import StepSearch
from homologa.load.tally import Tally, Verdict, judge, live_rows, render, report_dict
from homologa.profile import Profile, ProfileError
from homologa.secrets import mask_url
from homologa.target import target_identity

log = logging.getLogger("homologa.carga")

ASK = "homologa:pedir"
GRANT = "homologa:fatia"
DONE = "homologa:feita"
PARTIAL = "homologa:parcial"
ASK_AGAIN_AFTER = 0.2  # seconds, when the master said "wait"
WATCH_WORKERS_EVERY = 1.0  # seconds between two looks at the workers' liveness (Locust's heartbeat is 1 s)
SYNC_JOURNAL_EVERY = 1.0  # seconds between two fsyncs of the journal (in an OS thread: never blocks the loop)
# the master's draw of a fresh --first-index, an extra attribute of the parsed options: Locust hands the master's
# custom options to every worker with each spawn message, so every process renders the same customers
FRESH_FIRST_INDEX = "homologa_fresh_first_index"


def chose_customers(options: Any) -> bool:
    """Did the person fix the customers (``--seed`` or ``--first-index``)? If not, every burst draws fresh ones."""
    return any(str(getattr(options, name, "") or "").strip() for name in ("semente", "índice_inicial"))


class _CepRanges(argparse.Action):
    """``--cep-range`` is repeatable and takes comma lists; the first one given replaces the profile's default."""

    def __call__(
        self, parser: argparse.ArgumentParser, ns: argparse.Namespace, values: Any, option: str | None = None
    ) -> None:
        seen = getattr(ns, "_cep_range_given", False)
        current = getattr(ns, self.dest, "") if seen else ""
        setattr(ns, self.dest, f"{current},{values}" if current else str(values))
        ns._cep_range_given = True


def add_arguments(parser: Any) -> None:
    """The profile's own options, in the CLI and in the web UI's start form (defaults from homologacao.toml)."""
    try:
        profile = read_profile(profile_path_from_argv())
    except ProfileError as exc:
        sys.stderr.write(f"homologa carga: erro: {exc}\n")
        raise SystemExit(2) from None
    d = defaults_from(profile)
    # the web UI listens on loopback unless --web-host says otherwise
    parser.set_defaults(web_host="127.0.0.1")
    # a stop (time limit, step search, the stop button) lets requests in flight get their answer and be counted
    parser.set_defaults(stop_timeout=d.timeout)
    if profile is not None and profile.target:
        parser.set_defaults(host=profile.target)
    # Locust's own add_argument takes include_in_web_ui (its argument groups do not): no group here. The web UI lists
    # the parameters in this order (see install_web_ui) under their Portuguese dest (settings.OPTIONS); the help
    # text starts with the group, so the essentials come first and the fine-tuning last.
    parser.add_argument(
        "--homologa-profile",
        default=str(profile.path) if profile and profile.path else "",
        help="homologacao.toml com os padrões (faixas de CEP, clientes, taxa, orçamento)",
        include_in_web_ui=False,
    )
    seed_help = "vazio = clientes novos, nunca enviados; um número repete os clientes dessa semente"
    specs: dict[str, tuple[dict[str, Any], str, bool]] = {
        "--customers": ({"type": int, "default": d.customers}, "essencial: quantos clientes a rajada envia", True),
        "--cep-range": (
            {"action": _CepRanges, "default": ",".join(d.cep_ranges)},
            "essencial: faixa(s) de CEP dos clientes, ex.: 01000000-19999999 (lista com vírgulas)",
            True,
        ),
        "--rate": (
            {"type": float, "default": d.rate},
            "essencial: clientes por segundo no patamar; 0 = sem limite",
            True,
        ),
        "--p95-budget-ms": ({"type": float, "default": d.p95_budget_ms}, "essencial: latência p95 aceita, em ms", True),
        "--accepted-failure-ratio": (
            {"type": float, "default": d.accepted_failure_ratio},
            "essencial: fração de falhas aceita, de 0 a 1 (0 = nenhuma)",
            True,
        ),
        "--seed": ({"default": ""}, f"clientes: {seed_help}", True),
        "--first-index": (
            {"default": ""},
            "clientes: índice do primeiro cliente no gerador (com a semente, repete exatamente uma rajada)",
            True,
        ),
        "--replay": (
            {"action": "store_true", "default": False},
            "clientes: já foram enviados a este ERP, esperar APV/RPV em vez de PEN",
            True,
        ),
        "--resume": (
            {"action": "store_true", "default": False},
            "clientes: continuar a rajada interrompida do diário na pasta do resultado (mesmo comando)",
            True,
        ),
        "--resend-share": (
            {"type": float, "default": d.resend_share},
            "clientes: fração de reenvios (mesmo CNPJ, dados alterados), de 0 a 1",
            True,
        ),
        "--shape": (
            {"choices": ("golive", "degraus"), "default": d.shape},
            "forma: golive = rampa até a taxa e mantém até enviar todos; degraus = sobe a taxa até quebrar",
            True,
        ),
        "--concurrency": (
            {"type": int, "default": 0},
            "forma: usuários virtuais no patamar; 0 = taxa × orçamento (os campos de usuários do Locust não valem)",
            True,
        ),
        "--max-users": ({"type": int, "default": d.max_users}, "forma: limite de usuários virtuais", True),
        "--ramp": ({"type": float, "default": d.ramp_seconds}, "forma: segundos da rampa até o patamar", True),
        "--step-seconds": ({"type": float, "default": d.step_seconds}, "degraus: duração de cada degrau (s)", True),
        "--steps": ({"type": int, "default": d.steps}, "degraus: número máximo de degraus", True),
        "--max-seconds": (
            {"type": float, "default": 0.0},
            "limites: tempo máximo da rajada em s (0 = até enviar todos)",
            True,
        ),
        "--timeout": ({"type": float, "default": d.timeout}, "limites: segundos por requisição", True),
        "--collapse-p95-factor": (
            {"type": float, "default": d.collapse_p95_factor},
            "colapso: parar se o p95 recente passar deste múltiplo do orçamento pela janela toda (0 = nunca)",
            True,
        ),
        "--collapse-failure-ratio": (
            {"type": float, "default": d.collapse_failure_ratio},
            "colapso: parar se mais que esta fração das respostas da janela falhar (0 = nunca)",
            True,
        ),
        "--collapse-window": (
            {"type": float, "default": d.collapse_window},
            "colapso: segundos que a condição precisa durar para parar a rajada",
            True,
        ),
        "--validate-share": (
            {"type": float, "default": d.validate_share},
            "ajuste fino: fração das respostas validadas no XSD (status e eco: todas)",
            True,
        ),
        "--chunk": ({"type": int, "default": d.chunk}, "tamanho máximo da fatia de índices por pedido", False),
        "--report-dir": ({"default": d.report_dir}, "pasta do resultado (resultado.json, resultado.txt)", False),
        "--contract": ({"default": d.contract}, "contrato: pacote de contrato do alvo (1, v1-soap ou uma pasta)", True),
    }
    for dest, flag, _ in OPTIONS:
        kwargs, text, in_ui = specs[flag]
        parser.add_argument(flag, dest=dest, help=text, include_in_web_ui=in_ui, **kwargs)


class Runtime:
    """One process's share of the burst (see the module docstring for the roles)."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        runner = environment.runner
        self.is_master = not isinstance(runner, WorkerRunner)
        self.is_worker = not isinstance(runner, MasterRunner)
        self.settings = LoadSettings()
        self.profile: Profile | None = None
        self.headers: dict[str, str] = {}
        self.tls: ContextFactory | None = None  # the profile's CA bundle / client certificate, if any
        self.scenario: Scenario | None = None
        self.error: str | None = None
        # master side
        self.dispenser: Dispenser | None = None
        self.total = Tally()
        self.generation = 0
        self.step: StepSearch | None = None
        self.collapse: CollapseWatch | None = None
        self.started_at: str | None = None
        self.lost: set[str] = set()  # workers given up on this run: their slices were granted again
        self.stop_reason: str | None = None  # why the run was ended before its plan (pt-BR), if it was
        self.concluded = False  # the tally of this run was written
        self.verdict: Verdict | None = None  # the last run's, once concluded
        self.journal: Journal | None = None  # confirmed slices, on disk (--resume)
        # worker side
        self.pool = SlicePool()
        self.open_tallies: dict[Slice, Tally] = {}  # the answers of each granted slice, until it is confirmed
        self.answered = 0  # by this process, this run (for its log)
        self.worker_generation = -1
        self.asking = False
        self.ask_after = 0.0
        self.exhausted = False
        self.arrived = gevent.event.Event()

    # ----- set-up -----------------------------------------------------------------------------------------------
    def configure(self) -> None:
        """Read the settings from the (possibly web-UI-edited) options; errors end up in ``self.error``."""
        options = self.environment.parsed_options
        try:
            self.profile = read_profile(profile_path_from_argv())
            path = getattr(options, "homologa_profile", "") if options is not None else ""
            remote_worker_without_file = not self.is_master and path and not Path(path).is_file()
            if path and not remote_worker_without_file:
                self.profile = read_profile(Path(path))
            self.settings = from_options(options, defaults_from(self.profile))
            if self.environment.host:
                check_target(self.environment.host)
            fresh = getattr(options, FRESH_FIRST_INDEX, None)
            if not chose_customers(options) and fresh is not None:
                self.settings = dataclasses.replace(self.settings, first_index=int(fresh))
            self.scenario = Scenario(self.settings)
            self.tls = context_factory(self.profile.auth if self.profile else None)
            extra = headers_from_env()
            self.error = None
        except (ValueError, ProfileError) as exc:
            self.error = str(exc)
            extra = {}
        auth = auth_headers(self.profile.auth if self.profile else None)
        wire = self.scenario.request_headers if self.scenario is not None else {}
        self.headers = {**wire, **auth, **extra}

    def register(self) -> None:
        runner = self.environment.runner
        assert runner is not None
        if self.is_master:
            runner.register_message(ASK, self._on_ask)
            runner.register_message(DONE, self._on_done)
            runner.register_message(PARTIAL, self._on_partial)
        if self.is_worker:
            runner.register_message(GRANT, self._on_grant)

    def choose_customers(self) -> None:
        """Master, before a run: a burst the person did not pin to a seed sends customers no earlier burst sent;
        resumed, the ones of the journal."""
        options = self.environment.parsed_options
        if not self.is_master or options is None or chose_customers(options):
            return
        try:
            base = from_options(options, defaults_from(self.profile))
            if base.resume:
                first = read_plan(Path(base.report_dir)).get("primeiro_indice", 0)
            else:
                first = fresh_first_index(base.customers)
            setattr(options, FRESH_FIRST_INDEX, int(first))
        except (ValueError, TypeError):
            pass  # configure() or the journal reports it

    def journal_plan(self) -> dict[str, Any]:
        """What a journal must match to be resumed by this run."""
        s = self.settings
        plan = identity(self.environment.host or "", s, None)["plano"]
        return {"alvo_id": target_identity(self.environment.host), **plan}

    def open_journal(self) -> None:
        """Master, at test start: a new journal, or (``--resume``) the interrupted burst's, with its tally."""
        s = self.settings
        folder = Path(s.report_dir)
        if not s.resume:
            self.journal = Journal.create(folder, self.journal_plan())
            return
        self.journal, done, self.total = Journal.resume(folder, self.journal_plan())
        self.dispenser = Dispenser(PlanShape(s.customers, s.resend_share), s.chunk, done)
        log.info(
            "homologa carga: retomando a rajada de %s: %d de %d clientes já respondidos, o resto vai agora",
            self.journal.path,
            self.dispenser.completed,
            self.dispenser.plan.total,
        )

    def on_test_start(self) -> None:
        self.choose_customers()
        self.configure()
        if self.is_master:
            self.generation += 1
            self.started_at = now_iso()
            self.total = Tally()
            self.lost = set()
            self.stop_reason = None
            self.concluded = False
            self.verdict = None
            self.dispenser = Dispenser(
                PlanShape(self.settings.customers, self.settings.resend_share), self.settings.chunk
            )
            self.step = None
            if self.journal is not None:
                self.journal.close()
                self.journal = None
            if not self.error:
                try:
                    self.open_journal()
                except JournalError as exc:
                    self.error = str(exc)
                except OSError as exc:
                    self.error = f"não foi possível abrir o diário em {self.settings.report_dir}: {exc.strerror}"
            s = self.settings
            ratio = max(s.collapse_failure_ratio, s.accepted_failure_ratio) if s.collapse_failure_ratio else 0.0
            self.collapse = CollapseWatch(s.p95_budget_ms, s.collapse_p95_factor, ratio, s.collapse_window)
            if self.settings.shape == "degraus":
                self.step = StepSearch(
                    users_per_step=max(1, self.settings.plateau_users // self.settings.steps),
                    step_seconds=self.settings.step_seconds,
                    p95_budget_ms=self.settings.p95_budget_ms,
                    accepted_failure_ratio=self.settings.accepted_failure_ratio,
                    max_steps=self.settings.steps,
                    user_rate=1 / self.settings.user_interval if self.settings.user_interval else 0.0,
                )
            if self.error:
                log.error("homologa carga: erro: %s", self.error)
            else:
                log.info("homologa carga: alvo %s, %s", mask_url(self.environment.host or ""), self._describe())
        if self.is_worker:
            self.pool = SlicePool()
            self.open_tallies = {}
            self.answered = 0
            self.asking = False
            self.exhausted = False
            self.worker_generation = -1

    def _describe(self) -> str:
        s = self.settings
        plan = PlanShape(s.customers, s.resend_share)
        rate = "sem limite" if s.rate == 0 else f"{s.rate:g} clientes/s"
        return (
            f"{plan.customers} clientes + {plan.resends} reenvios, faixas {', '.join(s.cep_ranges)}, "
            f"{self.customers_text()}, taxa {rate} com {s.plateau_users} usuários, forma {s.shape}"
        )

    def customers_text(self) -> str:
        """Which customers this burst sends, and the options that send exactly the same ones again."""
        s = self.settings
        options = self.environment.parsed_options
        how = "sorteados, nunca enviados" if options is not None and not chose_customers(options) else "fixados"
        replay = " --replay" if s.replay else ""
        return (
            f"clientes {how}: semente {s.seed} a partir do índice {s.first_index}"
            f" (para repetir exatamente: --seed {s.seed} --first-index {s.first_index}{replay})"
        )

    # ----- worker side ------------------------------------------------------------------------------------------
    def next_item(self) -> tuple[int, Slice] | None:
        """The next index this process should send; waits for the master's grant; None when the plan is over."""
        while True:
            item = self.pool.take()
            if self.pool.queued < max(self.settings.chunk // 2, 1) and not self.exhausted:
                self._ask()
            if item is not None:
                return item
            if self.exhausted or self.error:
                return None
            self.arrived.clear()
            self.arrived.wait(timeout=ASK_AGAIN_AFTER)

    def _ask(self) -> None:
        if self.asking or time.monotonic() < self.ask_after:
            return
        self.asking = True
        runner = self.environment.runner
        assert runner is not None
        runner.send_message(ASK, {})

    def _on_grant(self, environment: Environment, msg: Any) -> None:
        data = msg.data or {}
        self.asking = False
        self.worker_generation = int(data.get("g", -1))
        if data.get("end"):
            self.exhausted = True
        elif data.get("wait"):
            self.ask_after = time.monotonic() + ASK_AGAIN_AFTER
        else:
            self.pool.add(Slice(int(data["start"]), int(data["stop"])))
        self.arrived.set()

    def record(self, key: Slice, outcome: Outcome, latency_ms: float, started: float, ended: float) -> None:
        tally = self.open_tallies.get(key)
        if tally is None:
            tally = self.open_tallies[key] = Tally()
        tally.record(outcome.category, outcome.status, latency_ms, started, ended)
        self.answered += 1
        finished = self.pool.done(key)
        if finished is not None:
            runner = self.environment.runner
            assert runner is not None
            data = {"g": self.worker_generation, "start": finished.start, "stop": finished.stop}
            runner.send_message(DONE, {**data, "tally": self.open_tallies.pop(finished).to_dict()})

    def on_worker_stop(self) -> None:
        """Report what was answered in slices left unfinished (a time limit, the step search, a stop)."""
        if isinstance(self.environment.runner, WorkerRunner):
            log.info("homologa carga: este trabalhador respondeu %d clientes", self.answered)
        left = Tally()
        for tally in self.open_tallies.values():
            left.merge(tally)
        self.open_tallies = {}
        if left.sent and self.is_master:  # single process: the master's tally is right here
            self.total.merge(left)
        elif left.sent and isinstance(self.environment.runner, WorkerRunner):
            self.environment.runner.send_message(PARTIAL, {"g": self.worker_generation, "tally": left.to_dict()})

    # ----- master side ------------------------------------------------------------------------------------------
    def _workers(self) -> int:
        runner = self.environment.runner
        return max(runner.worker_count, 1) if isinstance(runner, MasterRunner) else 1

    def _on_ask(self, environment: Environment, msg: Any) -> None:
        runner = self.environment.runner
        assert runner is not None
        reply: dict[str, Any] = {"g": self.generation}
        gone = msg.node_id in self.lost or self.stop_reason is not None
        grant = (
            None if self.dispenser is None or self.error or gone else self.dispenser.take(msg.node_id, self._workers())
        )
        if grant is None:
            reply["end"] = True
        elif isinstance(grant, Wait):
            reply["wait"] = True
        else:
            reply.update(start=grant.start, stop=grant.stop)
        runner.send_message(GRANT, reply, client_id=msg.node_id)

    def _on_done(self, environment: Environment, msg: Any) -> None:
        data = msg.data or {}
        if data.get("g") != self.generation or self.dispenser is None or msg.node_id in self.lost:
            return  # a lost worker's slices were granted again: only the new holder's answers count
        done = Slice(int(data["start"]), int(data["stop"]))
        try:
            self.dispenser.complete(done)
        except ValueError as exc:
            log.error("homologa carga: %s", exc)
            return
        tally = Tally.from_dict(data.get("tally", {}))
        if self.journal is not None:
            try:
                self.journal.confirm(done, tally)
            except OSError as exc:
                log.error("homologa carga: não foi possível gravar o diário (%s): %s", self.journal.path, exc)
        self.total.merge(tally)

    def _on_partial(self, environment: Environment, msg: Any) -> None:
        data = msg.data or {}
        if data.get("g") == self.generation and msg.node_id not in self.lost:
            self.total.merge(Tally.from_dict(data.get("tally", {})))

    def watch_workers(self) -> None:
        """Master of remote workers: give up on the ones that went missing, and end the run when none is left."""
        runner = self.environment.runner
        assert isinstance(runner, MasterRunner)
        while True:
            gevent.sleep(WATCH_WORKERS_EVERY)
            if self.dispenser is None or self.finished or self.concluded:
                continue  # no run, or this one is over (Locust's own stop on the last worker's loss is not)
            self.check_workers({c.id for c in runner.clients.all if c.state != STATE_MISSING})

    def check_workers(self, alive: set[str]) -> None:
        assert self.dispenser is not None
        for worker in sorted(self.dispenser.holders - alive):
            self.lost.add(worker)
            slices = self.dispenser.release(worker)
            customers = sum(len(s) for s in slices)
            log.warning(
                "homologa carga: trabalhador %s perdido; %d fatias não confirmadas (%d clientes) voltam para os"
                " outros, com o mesmo IdMensagem",
                worker,
                len(slices),
                customers,
            )
        if not alive:
            self.stop_reason = "nenhum trabalhador restante: a rajada parou antes de enviar todos os clientes"
            log.error("homologa carga: %s", self.stop_reason)
            self.end_run()

    def watch_collapse(self, elapsed: float, requests: int, failures: int, recent_p95_ms: float | None) -> None:
        """Once a second from the go-live shape: stop the run if the ERP collapsed (settings ``collapse_*``)."""
        if self.collapse is None or self.stop_reason is not None or self.finished:
            return
        reason = self.collapse.observe(elapsed, requests, failures, recent_p95_ms)
        if reason is not None:
            self.stop_reason = reason
            log.error("homologa carga: parando a rajada: %s", reason)

    def live_rows(self) -> list[dict[str, str]]:
        """The web UI's "Homologação" tab: the master's tally so far (confirmed slices) and the verdict."""
        if self.error:
            situation = f"erro: {self.error}"
        elif self.dispenser is None:
            situation = "não iniciada: informe os parâmetros e clique em Start"
        elif self.concluded:
            situation = f"interrompida: {self.stop_reason}" if self.stop_reason else "concluída"
        else:
            situation = "em andamento"
        rows = live_rows(
            self.total,
            planned=self.dispenser.plan.total if self.dispenser else 0,
            p95_budget_ms=self.settings.p95_budget_ms,
            situation=situation,
            verdict=self.verdict,
        )
        if self.dispenser is not None:
            rows.append({"item": "Clientes", "valor": self.customers_text()})
        rows.append({"item": "Alvo", "valor": mask_url(self.environment.host or "") or "(informe o Host)"})
        rows.append(
            {
                "item": "Usuários",
                "valor": f"{self.settings.plateau_users} no patamar, calculados pela taxa e pelo orçamento"
                " (os campos de usuários e ramp up do Locust não se aplicam a esta forma)",
            }
        )
        return rows

    def sync_journal(self) -> None:
        """Master: ``fsync`` the journal once a second in gevent's thread pool, off the event loop."""
        pool = gevent.get_hub().threadpool
        while True:
            gevent.sleep(SYNC_JOURNAL_EVERY)
            journal = self.journal
            if journal is None:
                continue
            try:
                pool.apply(journal.sync)
            except OSError as exc:
                log.error("homologa carga: não foi possível gravar o diário (%s): %s", journal.path, exc.strerror)

    def end_run(self) -> None:
        """Stop now (headless: quit, so the tally is written and the exit code returned)."""
        runner = self.environment.runner
        assert runner is not None
        options = self.environment.parsed_options
        if options is not None and options.headless:
            runner.quit()
        else:
            runner.stop()

    @property
    def finished(self) -> bool:
        """The run is over: every slice confirmed, a configuration error, or a reason to stop early."""
        done = self.dispenser is not None and self.dispenser.finished
        return self.error is not None or self.stop_reason is not None or done

    def conclude(self) -> int:
        """Print and save the tally; returns the exit code."""
        if not self.is_master or self.dispenser is None:
            return 0
        if self.error:
            return 2
        self.concluded = True
        if self.journal is not None:
            self.journal.close()
        planned = self.dispenser.plan.total
        stepping = self.step is not None
        verdict = judge(
            self.total,
            # the step search measures where the ERP breaks: customers left unsent, the breaking step's failures
            # and latency are its result, not a failure of the run
            planned=planned,
            require_all=not stepping,
            accepted_failure_ratio=1.0 if stepping else self.settings.accepted_failure_ratio,
            p95_budget_ms=float("inf") if stepping else self.settings.p95_budget_ms,
        )
        if self.stop_reason is not None:
            verdict = Verdict(verdict.planned, (f"rajada interrompida: {self.stop_reason}", *verdict.reasons))
        self.verdict = verdict
        text = render(self.total, verdict)
        data = report_dict(self.total, verdict)
        data.update(identity(self.environment.host or "", self.settings, self.started_at))
        data["parametros"] = self._describe()
        data["interrupcao"] = self.stop_reason
        data["diario"] = {"arquivo": str(self.journal.path) if self.journal else None, "retomada": self.settings.resume}
        options = self.environment.parsed_options
        data["plano"]["clientes_sorteados"] = options is not None and not chose_customers(options)
        text += "\n" + self.customers_text()
        if self.settings.replay:
            text += "\nrepetição deliberada (--replay): APV/RPV esperado para todos os clientes"
        elif self.total.failures.get(STATUS_DIVERGENTE) and self.total.statuses["PEN"] == 0:
            text += (
                "\n  dica: se estes clientes já foram enviados a este ERP numa rajada anterior, rode sem --seed"
                " (clientes novos) ou acrescente --replay (esperar APV/RPV)"
            )
        if self.step is not None:
            result = self.step.result()
            rate_of = 1 / self.settings.user_interval if self.settings.user_interval else 0.0
            text += (
                f"\ndegraus: última taxa boa {result.last_good_rate:.1f} clientes/s medidos"
                f" ({result.last_good_users} usuários, nominal {result.last_good_users * rate_of:.1f})"
            )
            if result.reason and result.broken_at_users is not None:
                text += f"; quebrou com {result.broken_at_users} usuários: {result.reason}"
            else:
                text += "; não quebrou até o último degrau"
            data["degraus"] = {"ultima_taxa_boa": result.last_good_rate, "motivo": result.reason}
        print(text, flush=True)
        folder = Path(self.settings.report_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "resultado.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            (folder / "resultado.txt").write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            log.error("homologa carga: não foi possível gravar o resultado em %s: %s", folder, exc)
        return verdict.exit_code


def install(environment: Environment) -> Runtime:
    """Create this process's runtime and hook it to Locust's events (called from the ``init`` event)."""
    runtime = Runtime(environment)
    environment.homologa = runtime  # type: ignore[attr-defined]
    runtime.configure()
    if runtime.error:
        sys.stderr.write(f"homologa carga: erro: {runtime.error}\n")
        raise SystemExit(2)
    options = environment.parsed_options
    headless = bool(options is not None and options.headless)
    if runtime.is_master and headless and not environment.host:
        sys.stderr.write("homologa carga: erro: informe o alvo com --host URL (ou [alvo] url no homologacao.toml)\n")
        raise SystemExit(2)
    if runtime.is_master and headless and runtime.settings.resume:
        try:  # refuse a journal of another plan now, not after start-up
            runtime.choose_customers()
            runtime.configure()
            verify(Path(runtime.settings.report_dir), runtime.journal_plan())
        except JournalError as exc:
            sys.stderr.write(f"homologa carga: erro: {exc}\n")
            raise SystemExit(2) from None
    runtime.register()
    if runtime.is_master:
        from homologa.load.locust_webui import install_web_ui  # Flask, only where the web UI runs

        install_web_ui(environment, runtime)
    runner = environment.runner
    if isinstance(runner, MasterRunner):
        runner.greenlet.spawn(runtime.watch_workers)
    if runtime.is_master and runner is not None:
        runner.greenlet.spawn(runtime.sync_journal)
    if runtime.is_master and options is not None and headless and not options.html_file:
        options.html_file = str(Path(runtime.settings.report_dir) / "carga.html")

    @events.test_start.add_listener
    def _start(environment: Environment, **_: Any) -> None:
        runtime.on_test_start()

    @events.test_stop.add_listener
    def _stop(environment: Environment, **_: Any) -> None:
        if runtime.is_worker:
            runtime.on_worker_stop()
        if runtime.is_master and runtime.dispenser is not None and not headless:
            environment.process_exit_code = runtime.conclude()
        if runtime.is_master and headless and environment.host:
            # users are stopped; Locust's HTML report, written next, prints the host: no secret in it
            environment.host = mask_url(environment.host)

    @events.quitting.add_listener
    def _quitting(environment: Environment, **_: Any) -> None:
        # headless: conclude once Locust has waited for the workers' last reports (after test_stop)
        if runtime.is_master and runtime.dispenser is not None and headless:
            environment.process_exit_code = runtime.conclude()

    return runtime


def runtime_of(environment: Environment) -> Runtime:
    runtime: Runtime = environment.homologa  # type: ignore[attr-defined]
    return runtime
