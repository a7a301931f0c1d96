"""The burst inside Locust: one process's :class:`Runtime` joins its roles and hooks them to Locust's events.

Imports locust/gevent (monkey-patching): only ``loadtests/locustfile.py``, the benchmarks and the other
``locust_*`` modules import this module. The roles live in their own modules: ``locust_options`` (the options),
``locust_process`` (what the roles share), ``locust_master``, ``locust_worker`` and ``locust_conclusion`` (the
final tally, the verdict, ``resultado.json``, the exit code).

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

import contextlib
import ctypes
import os
import signal
import sys
from pathlib import Path
from typing import Any

from locust import events
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from homologa.load.journal import JournalError
from homologa.load.locust_conclusion import Conclusion
from homologa.load.locust_options import add_arguments
from homologa.load.locust_process import ASK, DONE, GRANT, PARTIAL, RETURNED
from homologa.load.locust_worker import Worker
from homologa.secrets import mask_url

PR_SET_PDEATHSIG = 1  # linux/prctl.h

__all__ = ["Runtime", "add_arguments", "install", "runtime_of"]  # add_arguments: the locustfiles of earlier versions


class Runtime(Conclusion, Worker):
    """One process's share of the burst: the roles it plays (see the module docstring)."""

    def register(self) -> None:
        runner = self.environment.runner
        assert runner is not None
        if self.is_master:
            runner.register_message(ASK, self._on_ask)
            runner.register_message(DONE, self._on_done)
            runner.register_message(PARTIAL, self._on_partial)
            runner.register_message(RETURNED, self._on_returned)
        if self.is_worker:
            runner.register_message(GRANT, self._on_grant)

    def on_test_start(self) -> None:
        self.choose_customers()
        self.configure()
        if self.is_master:
            self.begin_master_run()
        if self.is_worker:
            self.begin_worker_run()


def die_with_parent(_options: Any = None) -> None:
    """A worker forked by ``--processes`` ends when the process that forked it dies, even by ``kill -9`` (which
    gives that process no chance to stop it): an orphan would otherwise keep running and join the next master on
    the same port. SIGKILL, not SIGTERM: Locust's graceful stop waits for the dead master, and a worker keeps nothing
    on disk (the master holds the journal; its unconfirmed slices are sent again on --resume). Linux only
    (``prctl(PR_SET_PDEATHSIG)``); a worker started on its own (``--worker``) is untouched."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the call: nobody would send the signal
        os.kill(os.getpid(), signal.SIGKILL)


def refuse_unreachable_processes(options: Any) -> None:
    """``--processes`` with a ``--master-bind-port`` other than ``--master-port``: Locust's forked workers connect
    to ``--master-port``, so they would never reach this master ("0 of N connected", for ever). Refused in one
    pt-BR line (exit 2), and the forked workers, still retrying the wrong port, are ended with it."""
    bind, port = getattr(options, "master_bind_port", None), getattr(options, "master_port", None)
    if not getattr(options, "processes", None) or bind == port:
        return
    import psutil  # type: ignore[import-untyped]  # a dependency of Locust

    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error):
            child.kill()
    sys.stderr.write(
        f"homologa carga: erro: com --processes, os trabalhadores procuram o mestre na --master-port ({port}), "
        f"mas ele escuta na --master-bind-port ({bind}): dê as duas com o mesmo número\n"
    )
    raise SystemExit(2)


def install(environment: Environment) -> Runtime:
    """Create this process's runtime and hook it to Locust's events (called from the ``init`` event)."""
    runtime = Runtime(environment)
    environment.homologa = runtime  # type: ignore[attr-defined]
    if getattr(environment.parsed_options, "processes", None):  # workers forked by this process (or it is one)
        (refuse_unreachable_processes if runtime.is_master else die_with_parent)(environment.parsed_options)
    runtime.configure()
    if runtime.error:
        sys.stderr.write(f"homologa carga: erro: {runtime.error}\n")
        raise SystemExit(2)
    options = environment.parsed_options
    headless = bool(options is not None and options.headless)
    if runtime.is_master and headless and not environment.host:
        sys.stderr.write("homologa carga: erro: informe o alvo com --host URL (ou [alvo] url no homologacao.toml)\n")
        raise SystemExit(2)
    try:
        if runtime.is_master:  # a report folder that takes no file, or another burst's: refused before start-up
            runtime.lock_report_dir()
        if runtime.is_master and headless and runtime.settings.resume:
            # refuse a journal of another plan, damaged, or of a finished burst now, not after start-up
            runtime.choose_customers()
            runtime.configure()
            runtime.check_resumable()
    except JournalError as exc:
        sys.stderr.write(f"homologa carga: erro: {exc}\n")
        raise SystemExit(2) from None
    runtime.register()
    if runtime.is_master:
        from homologa.load.locust_webui import install_web_ui  # Flask, only where the web UI runs

        install_web_ui(environment, runtime)
    runner = environment.runner
    if isinstance(runner, MasterRunner | WorkerRunner):  # the master watches its workers, a worker its users
        runner.greenlet.spawn(runtime.watch_workers if isinstance(runner, MasterRunner) else runtime.watch_users)
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
            runtime.hint_resume()
        if runtime.is_master and headless and environment.host:
            # users are stopped; Locust's HTML report, written next, prints the host: no secret in it
            environment.host = mask_url(environment.host)

    @events.quitting.add_listener
    def _quitting(environment: Environment, **_: Any) -> None:
        # headless: conclude once Locust has waited for the workers' last reports (after test_stop)
        if runtime.is_master and runtime.dispenser is not None and headless:
            environment.process_exit_code = runtime.conclude()
            runtime.hint_resume()

    return runtime


def runtime_of(environment: Environment) -> Runtime:
    runtime: Runtime = environment.homologa  # type: ignore[attr-defined]
    return runtime
