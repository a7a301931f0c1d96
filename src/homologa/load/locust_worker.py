"""The worker's role (or the single local process's): asks the master for slices, feeds its
:class:`~homologa.load.plan.SlicePool`, hands the users their next index, confirms each slice with its tally
(``homologa:feita``), reports the unfinished ones' at a stop (``homologa:parcial``) and, left with no user by a
rebalancing, gives its open slices back (``homologa:devolvidas``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import gevent
import gevent.event
from locust.env import Environment
from locust.runners import STATE_RUNNING, STATE_SPAWNING, WorkerRunner

from homologa.load.checks import Outcome
from homologa.load.locust_process import ASK, DONE, PARTIAL, RETURNED, Process
from homologa.load.plan import Slice, SlicePool
from homologa.load.record import foreign_plan, plan_summary
from homologa.load.tally import Tally

log = logging.getLogger("homologa.carga")

ASK_AGAIN_AFTER = 0.2  # seconds, when the master said "wait"
WATCH_USERS_EVERY = 1.0  # seconds: how often a remote worker checks it still has users for what it holds


class Worker(Process):
    """The worker's share of the runtime."""

    total: Tally  # the master's (a single process plays both roles: its partial tally goes right there)

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.pool = SlicePool()
        self.open_tallies: dict[Slice, Tally] = {}  # the answers of each granted slice, until it is confirmed
        self.answered = 0  # by this process, this run (for its log)
        self.worker_generation = -1
        self.asking = False
        self.ask_after = 0.0
        self.exhausted = False
        self.arrived = gevent.event.Event()
        self.low_water = 1  # ask for the next slice when fewer indices than this are queued

    def begin_worker_run(self) -> None:
        """A new run (``test_start``): an empty pool, nothing asked yet."""
        self.pool = SlicePool()
        self.open_tallies = {}
        self.answered = 0
        self.asking = False
        self.exhausted = False
        self.worker_generation = -1
        self.low_water = max(self.settings.chunk // 2, 1)

    def next_item(self) -> tuple[int, Slice] | None:
        """The next index this process should send; waits for the master's grant; None when the plan is over."""
        while True:
            pool = self.pool
            # ask before taking: sending may yield, and a user killed there must not be holding an index
            if pool.queued <= self.low_water and not self.exhausted:
                self._ask()
            item = pool.take()
            if item is not None:
                return item
            if self.exhausted or self.error:
                return None
            self.arrived.clear()
            self.arrived.wait(timeout=ASK_AGAIN_AFTER)

    def give_back(self, index: int, owner: Slice) -> None:
        """A user was killed before ``index`` got its answer (Locust stops users by killing them: a rebalancing when
        a worker joins or leaves, a stop that outlasted ``--stop-timeout``). Another user sends it again, with the same
        IdMensagem (a retry for the ERP if the first one arrived); lost, its slice would never be confirmed and the
        master would wait for it for ever."""
        self.pool.give_back(index, owner)
        self.arrived.set()  # a user waiting in next_item takes it now

    def watch_users(self) -> None:
        """Remote worker: give back the slices it holds once it has had no user for two checks in a row.

        Rebalancing (``--enable-rebalancing``, a worker joining or leaving) can take every user off a worker; the
        indices already queued here would then have nobody to send them, their slices would never be confirmed and
        the master would wait for them for ever. Nothing is in flight without users (a killed user gave its index
        back), so every open slice goes back whole, its partial tally dropped: the master grants it again and its
        customers go out again with the same IdMensagem (a retry for the ERP), as a lost worker's do."""
        runner = self.environment.runner
        assert runner is not None
        idle_checks = 0
        while True:
            gevent.sleep(WATCH_USERS_EVERY)
            running = runner.state in (STATE_RUNNING, STATE_SPAWNING)
            holding = self.pool.queued > 0 or self.pool.in_flight > 0
            idle_checks = idle_checks + 1 if running and holding and runner.user_count == 0 else 0
            if idle_checks >= 2:
                idle_checks = 0
                self.return_slices()

    def return_slices(self) -> None:
        slices = self.pool.drop_all()
        if not slices:
            return
        for returned in slices:
            self.open_tallies.pop(returned, None)
        runner = self.environment.runner
        assert runner is not None
        runner.send_message(RETURNED, {"g": self.worker_generation, "slices": [[s.start, s.stop] for s in slices]})
        log.info("homologa carga: este trabalhador ficou sem usuários e devolveu %d fatias ao mestre", len(slices))

    def _ask(self) -> None:
        if self.asking or time.monotonic() < self.ask_after:
            return
        self.asking = True
        runner = self.environment.runner
        assert runner is not None
        runner.send_message(ASK, {"plano": self.plan_id})

    def _on_grant(self, environment: Environment, msg: Any) -> None:
        data = msg.data or {}
        self.asking = False
        self.worker_generation = int(data.get("g", -1))
        refusal = data.get("recusa")
        if not refusal and data.get("plano") != self.plan_id:
            refusal = foreign_plan(
                data.get("plano"), self.plan_id, "o mestre", "este trabalhador", plan_summary(self.settings)
            )
        if refusal:
            if not self.exhausted:  # a slice of another plan is never sent (its indices mean other customers)
                log.error("homologa carga: este trabalhador não envia nada desta rajada: %s", refusal)
            self.exhausted = True
        elif data.get("end"):
            self.exhausted = True
        elif data.get("wait"):
            self.ask_after = time.monotonic() + ASK_AGAIN_AFTER
        else:
            self.pool.add(Slice(int(data["start"]), int(data["stop"])))
        self.arrived.set()

    def record(self, key: Slice, outcome: Outcome, latency_ms: float, started: float, ended: float) -> None:
        tallies = self.open_tallies
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = Tally()
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
