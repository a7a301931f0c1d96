"""The end of a run at the master: the final tally, the verdict, ``resultado.json``/``resultado.txt``, the exit
code (0 only when every customer was sent and answered within the limits).

``resultado.json`` also says which burst it was, so a report can tell it from another burst of the same folder: the
first start (kept in ``partida.json`` from the burst's first start across ``--resume``), the start of this last
part, how many times it was resumed, and the SHA-256 of the journal as it was when the burst ended (a journal that
changed since belongs to a later burst, maybe interrupted)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

from homologa.burst_files import RESULT, RESULT_TEXT, START
from homologa.categories import STATUS_DIVERGENTE
from homologa.load.locust_master import Master
from homologa.load.locust_options import chose_customers
from homologa.load.record import identity
from homologa.load.tally import Verdict, judge, render, report_dict
from homologa.oserrors import why

log = logging.getLogger("homologa.carga")


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class Conclusion(Master):
    """The master's last act of a run."""

    def open_journal(self) -> None:
        """As the master's, and ``partida.json``: a new burst's first start, or (``--resume``) one more resumption
        of the burst that started then."""
        super().open_journal()
        path = Path(self.settings.report_dir) / START
        start: dict[str, Any] = {"primeiro_inicio": self.started_at, "retomadas": 0}
        if self.settings.resume:
            try:
                before = json.loads(path.read_text(encoding="utf-8"))
                start = {"primeiro_inicio": before.get("primeiro_inicio"), "retomadas": int(before["retomadas"]) + 1}
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                start = {"primeiro_inicio": None, "retomadas": 1}  # the journal of an earlier version of homologa
        try:
            path.write_text(json.dumps(start), encoding="utf-8")
        except OSError as exc:
            log.error("homologa carga: não foi possível gravar %s: %s", path, why(exc))
        self.first_start = start
        self.part_started = time.time()

    def start_facts(self) -> dict[str, Any]:
        return getattr(self, "first_start", None) or {"primeiro_inicio": None, "retomadas": 0}

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
        data["diario"] = {
            "arquivo": str(self.journal.path) if self.journal else None,
            "retomada": self.settings.resume,
            "sha256": _sha256(self.journal.path) if self.journal else None,
        }
        start = self.start_facts()
        data["inicio_desta_parte"] = self.started_at
        data["inicio_desta_parte_unix"] = round(getattr(self, "part_started", 0.0), 3) or None
        data["primeiro_inicio"] = start["primeiro_inicio"] if self.settings.resume else self.started_at
        data["retomadas"] = start["retomadas"]
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
            (folder / RESULT).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            (folder / RESULT_TEXT).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            log.error("homologa carga: não foi possível gravar o resultado em %s: %s", folder, exc)
        return verdict.exit_code
