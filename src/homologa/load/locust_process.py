"""What every role of one Locust process shares: which roles it plays, the settings read from the options, the
names of the custom messages between master and workers.

:class:`Process` is the base of :class:`~homologa.load.locust_master.Master`,
:class:`~homologa.load.locust_worker.Worker` and :class:`~homologa.load.locust_conclusion.Conclusion`;
:class:`~homologa.load.locust_runtime.Runtime` joins them (a single process plays every role).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from homologa.load.locust_options import FRESH_FIRST_INDEX, chose_customers
from homologa.load.locust_tls import ContextFactory, context_factory
from homologa.load.plan import PlanShape
from homologa.load.record import plan_identity
from homologa.load.scenario import Scenario
from homologa.load.settings import (
    LoadSettings,
    auth_headers,
    check_headers,
    check_target,
    defaults_from,
    from_options,
    headers_from_env,
    profile_path_from_argv,
    read_profile,
)
from homologa.profile import Profile, ProfileError

ASK = "homologa:pedir"
GRANT = "homologa:fatia"
DONE = "homologa:feita"
PARTIAL = "homologa:parcial"
RETURNED = "homologa:devolvidas"  # a worker left with no user gives its open slices back


class Process:
    """One process's settings and roles (see :mod:`homologa.load.locust_runtime` for the roles)."""

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
        self.plan_id = ""  # record.plan_identity of the settings: a slice changes hands only between equal ones

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
            self.plan_id = plan_identity(self.environment.host or "", self.settings, self.scenario.pack.sha256)
            self.tls = context_factory(self.profile.auth if self.profile else None)
            extra = headers_from_env()
            self.error = None
        except (ValueError, ProfileError) as exc:
            self.error = str(exc)
            extra = {}
        auth = auth_headers(self.profile.auth if self.profile else None)
        wire = self.scenario.request_headers if self.scenario is not None else {}
        self.headers = {**wire, **auth, **extra}
        if self.error is None:
            try:
                check_headers(self.headers)
            except ValueError as exc:
                self.error = str(exc)

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
