"""The master's role (or the single local process's): hands slices out, counts confirmed ones, watches workers.

Owns the :class:`~homologa.load.plan.Dispenser`, the run's total :class:`~homologa.load.tally.Tally` and the
:class:`~homologa.load.journal.Journal`; answers ``homologa:pedir`` with ``homologa:fatia``, takes
``homologa:feita``/``homologa:parcial``, gives up on workers that went missing, ``fsync``-s the journal off the
event loop and stops the run when the ERP collapses.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import gevent
from locust.env import Environment
from locust.runners import STATE_MISSING, STATE_RUNNING, STATE_SPAWNING, MasterRunner

from homologa.load.collapse import CollapseWatch
from homologa.load.journal import (
    CONTRACT_NAME,
    TARGET,
    Journal,
    JournalError,
    inspect,
    keep_interrupted,
    lock_folder,
    read_plan,
)
from homologa.load.locust_options import FRESH_FIRST_INDEX, chose_customers
from homologa.load.locust_process import GRANT, Process
from homologa.load.plan import Dispenser, PlanShape, Slice, Wait
from homologa.load.record import foreign_plan, identity, now_iso, plan_summary
from homologa.load.settings import defaults_from, fresh_first_index, from_options
from homologa.load.shapes import StepSearch
from homologa.load.tally import Tally, Verdict, live_rows
from homologa.oserrors import why
from homologa.secrets import mask_url
from homologa.target import target_identity

log = logging.getLogger("homologa.carga")

WATCH_WORKERS_EVERY = 1.0  # seconds between two looks at the workers' liveness (Locust's heartbeat is 1 s)
NO_USERS_FOR = 5.0  # seconds with live workers but no user anywhere before the master acts (see watch_workers)
SYNC_JOURNAL_EVERY = 1.0  # seconds between two fsyncs of the journal (in an OS thread: never blocks the loop)


class Master(Process):
    """The master's share of the runtime."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.dispenser: Dispenser | None = None
        self.total = Tally()
        self.generation = 0
        self.step: StepSearch | None = None
        self.collapse: CollapseWatch | None = None
        self.started_at: str | None = None  # this run's start
        self.first_started_at: str | None = None  # the burst's first start: this run's, or the journal's (--resume)
        self.folder_lock: int | None = None  # descriptor holding the report folder's lock (journal.lock_folder)
        self.lost: set[str] = set()  # workers given up on this run: their slices were granted again
        self.redispatched = False  # no_users_left() handed the users out again and no user has been seen since
        self.refused: set[str] = set()  # workers of another plan (record.plan_identity), told so once
        self.stop_reason: str | None = None  # why the run was ended before its plan (pt-BR), if it was
        self.concluded = False  # the tally of this run was written
        self.verdict: Verdict | None = None  # the last run's, once concluded
        self.journal: Journal | None = None  # confirmed slices, on disk (--resume)

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
        """What a journal must match to be resumed by this run: the plan, the contract pack (by content) and the
        limits the burst is judged against (journal.LABELS); the masked target and the pack's name, to show."""
        s = self.settings
        host = self.environment.host or ""
        recorded = identity(host, s, None)
        plan = recorded["plano"]
        return {
            "alvo_id": target_identity(self.environment.host),
            TARGET: mask_url(host),
            **plan,
            "contrato": recorded["contrato"]["sha256"],
            CONTRACT_NAME: recorded["contrato"]["nome"],
            "forma": s.shape,
            "orcamento_p95_ms": s.p95_budget_ms,
            "falhas_aceitas": s.accepted_failure_ratio,
            "fracao_validada": s.validate_share,
            "colapso_p95": s.collapse_p95_factor,
            "colapso_falhas": s.collapse_failure_ratio,
            "colapso_janela": s.collapse_window,
        }

    def lock_report_dir(self) -> None:
        """Master, once per process: the report folder exists, takes files, and no other burst uses it (its lock is
        held until this process ends). A :class:`JournalError` otherwise."""
        if self.folder_lock is None:
            self.folder_lock = lock_folder(Path(self.settings.report_dir))

    def check_resumable(self) -> None:
        """Master, ``--resume``, before the run: the journal is of this plan, whole, and has something left to send
        (else a :class:`JournalError`)."""
        inspect(Path(self.settings.report_dir), self.journal_plan())

    def open_journal(self) -> None:
        """Master, at test start: a new journal, or (``--resume``) the interrupted burst's, with its tally."""
        s = self.settings
        folder = Path(s.report_dir)
        if not s.resume:
            kept = keep_interrupted(folder)
            if kept is not None:
                moved, answered, planned = kept
                log.warning(
                    "homologa carga: %s tinha o diário de uma rajada interrompida (%d de %d clientes respondidos):"
                    " guardado em %s; para retomá-la, rode o comando dela com --report-dir %s --resume",
                    folder,
                    answered,
                    planned,
                    moved,
                    moved.parent,
                )
            self.journal = Journal.create(folder, self.journal_plan(), started=self.started_at)
            self.first_started_at = self.journal.started
            return
        self.journal, done, self.total = Journal.resume(folder, self.journal_plan())
        self.first_started_at = self.journal.started or self.started_at
        self.dispenser = Dispenser(PlanShape(s.customers, s.resend_share), s.chunk, done)
        log.info(
            "homologa carga: retomando a rajada de %s (começou em %s): %d de %d clientes já respondidos, os %d"
            " restantes vão agora",
            self.journal.path,
            self.first_started_at or "horário não registrado",
            self.dispenser.completed,
            self.dispenser.plan.total,
            self.dispenser.plan.total - self.dispenser.completed,
        )

    def hint_resume(self) -> None:
        """Master, after the run: a go-live burst that stopped before every customer was answered (Ctrl+C, a
        collapse, no worker left, --max-seconds) says how to continue it."""
        dispenser, journal = self.dispenser, self.journal
        if dispenser is None or journal is None or self.error or dispenser.finished or self.step is not None:
            return
        log.warning(
            "homologa carga: a rajada parou com %d de %d clientes respondidos; o mesmo comando com --resume envia"
            " só o que falta (diário em %s)",
            dispenser.completed,
            dispenser.plan.total,
            journal.path,
        )

    def begin_master_run(self) -> None:
        """A new run (``test_start``): a fresh dispenser, tally and journal (``--resume``: the journal's)."""
        self.generation += 1
        self.started_at = now_iso()
        self.first_started_at = self.started_at
        self.total = Tally()
        self.lost = set()
        self.refused = set()
        self.redispatched = False  # no_users_left() handed the users out again once this run
        self.stop_reason = None
        self.concluded = False
        self.verdict = None
        self.dispenser = Dispenser(PlanShape(self.settings.customers, self.settings.resend_share), self.settings.chunk)
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
                self.error = f"não foi possível abrir o diário em {self.settings.report_dir}: {why(exc)}"
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

    def _workers(self) -> int:
        runner = self.environment.runner
        return max(runner.worker_count, 1) if isinstance(runner, MasterRunner) else 1

    def _on_ask(self, environment: Environment, msg: Any) -> None:
        runner = self.environment.runner
        assert runner is not None
        reply: dict[str, Any] = {"g": self.generation, "plano": self.plan_id}
        gone = msg.node_id in self.lost or self.stop_reason is not None
        theirs = (msg.data or {}).get("plano")
        refusal = None
        if theirs != self.plan_id:
            refusal = foreign_plan(
                theirs, self.plan_id, f"o trabalhador {msg.node_id}", "o mestre", plan_summary(self.settings)
            )
            reply["recusa"] = refusal
            if msg.node_id not in self.refused:
                self.refused.add(msg.node_id)
                log.error("homologa carga: recusado: %s", refusal)
        grant = (
            None
            if self.dispenser is None or self.error or gone or refusal
            else self.dispenser.take(msg.node_id, self._workers())
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

    def _on_returned(self, environment: Environment, msg: Any) -> None:
        """A worker left with no user gives its open slices back (``Worker.watch_users``): granted again first."""
        data = msg.data or {}
        if data.get("g") != self.generation or self.dispenser is None or msg.node_id in self.lost:
            return
        listed = [Slice(int(start), int(stop)) for start, stop in data.get("slices", [])]
        released = self.dispenser.release(msg.node_id, only=listed)
        log.warning(
            "homologa carga: trabalhador %s ficou sem usuários; %d fatias não confirmadas (%d clientes) voltam para os"
            " outros, com o mesmo IdMensagem",
            msg.node_id,
            len(released),
            sum(len(s) for s in released),
        )

    def _on_partial(self, environment: Environment, msg: Any) -> None:
        """A worker's answers in slices it leaves unfinished: counted only when the run is stopping (its end, a time
        limit, the Stop button). A worker that stops on its own mid-run (a SIGTERM) says goodbye the same way, but its
        slices go to the others whole (check_workers), so counting its partial too counted those answers twice."""
        data = msg.data or {}
        runner = self.environment.runner
        stopping = runner is None or runner.state not in (STATE_RUNNING, STATE_SPAWNING)
        if data.get("g") == self.generation and msg.node_id not in self.lost and stopping:
            self.total.merge(Tally.from_dict(data.get("tally", {})))

    def watch_workers(self) -> None:
        """Master of remote workers: give up on the ones that went missing, and end the run when none is left."""
        runner = self.environment.runner
        assert isinstance(runner, MasterRunner)
        idle = 0.0
        while True:
            gevent.sleep(WATCH_WORKERS_EVERY)
            if self.dispenser is None or self.finished or self.concluded:
                idle = 0.0
                continue  # no run, or this one is over (Locust's own stop on the last worker's loss is not)
            alive = [c for c in runner.clients.all if c.state != STATE_MISSING]
            self.check_workers({c.id for c in alive})
            stranded = alive and runner.state == STATE_RUNNING and runner.target_user_count > 0
            users = sum(c.user_count for c in alive)
            if users:
                self.redispatched = False  # the last hand-out worked: a later quit may need one of its own
            idle = idle + WATCH_WORKERS_EVERY if stranded and not users else 0.0
            if idle >= NO_USERS_FOR:
                idle = 0.0
                self.no_users_left(runner)

    def no_users_left(self, runner: MasterRunner) -> None:
        """Live workers, the plan unfinished, and no user on any of them: Locust does not hand a worker's users to the
        others when it quits in the middle of a run (a SIGTERM, a machine shut down cleanly), so nobody would send
        what is left and the run would wait for ever. The users are handed out again, as Locust does when a worker
        joins; if that still leaves none (no user seen since), the run stops with exit 1 and a journal to --resume."""
        if not self.redispatched:
            self.redispatched = True
            log.warning(
                "homologa carga: nenhum trabalhador vivo tem usuários e a rajada não terminou; redistribuindo %d",
                runner.target_user_count,
            )
            runner.start(runner.target_user_count, runner.spawn_rate)
            return
        self.stop_reason = (
            "nenhum trabalhador vivo recebeu usuários (o Locust não os redistribuiu): a rajada parou antes de enviar"
            " todos os clientes"
        )
        log.error("homologa carga: %s", self.stop_reason)
        self.end_run()

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
                log.error("homologa carga: não foi possível gravar o diário (%s): %s", journal.path, why(exc))

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
