"""Runs as units of evidence: every ``pytest suites`` run gets an id and a folder of its own.

Layout (the file format is the interface between the suite, which writes, and ``homologa relatorio``/``pacote``,
which read)::

    reports/execucoes/                      (or $HOMOLOGA_EXECUCOES)
        20261201-170102-a1b2c3/             one run: id = UTC start time + random suffix
            execucao.json                   the run's own record (target masked, options, selection, verdict)
            allure-results/                 the Allure results of this run only
            carga/                          the go-live burst run inside it (pytest suites --with-load)

A folder is created with ``mkdir`` (never reused), nothing ever deletes or cleans one, and the record is replaced
atomically (``os.replace``), so two runs at once — two terminals, a CI matrix — cannot mix or delete each other's
evidence. Reports never re-read ``homologacao.toml``: what a run was is what its record says.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from homologa.oserrors import why

FORMAT = 1
RECORD_NAME = "execucao.json"
RESULTS_NAME = "allure-results"
LOAD_NAME = "carga"
RUN_LABEL = "execucao"  # Allure label on every scenario of a run: a report counts only its own run's results
BASE_ENV = "HOMOLOGA_EXECUCOES"
DEFAULT_BASE = Path("reports") / "execucoes"

RUNNING = "em andamento"
FINISHED = "concluida"
INTERRUPTED = "interrompida"


class RunError(Exception):
    """A run folder or record cannot be created, read or found; the message is pt-BR."""


def base_dir(root: Path | None = None, env: dict[str, str] | None = None) -> Path:
    """Where run folders live: ``$HOMOLOGA_EXECUCOES``, else ``reports/execucoes`` under ``root`` (or the cwd)."""
    env_value = (os.environ if env is None else env).get(BASE_ENV, "").strip()
    if env_value:
        return Path(env_value)
    return (root or Path.cwd()) / DEFAULT_BASE


def new_run_id(now: datetime | None = None) -> str:
    when = now or datetime.now(tz=UTC)
    return f"{when:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def create_run_folder(base: Path) -> tuple[str, Path]:
    """A new, empty folder for one run (``mkdir`` without ``exist_ok``: never shared with another run)."""
    try:
        base.mkdir(parents=True, exist_ok=True)
        for _ in range(20):
            run_id = new_run_id()
            folder = base / run_id
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            (folder / RESULTS_NAME).mkdir()
            return run_id, folder
    except OSError as exc:
        raise RunError(f"não foi possível criar a pasta da execução em {base}: {why(exc)}") from None
    raise RunError(f"não foi possível criar uma pasta de execução nova em {base}")


def write_record(folder: Path, record: dict[str, Any]) -> Path:
    """Replace ``execucao.json`` atomically (a reader sees the old record or the new one, never half)."""
    path = folder / RECORD_NAME
    tmp = folder / f".{RECORD_NAME}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise RunError(f"não foi possível gravar {path}: {why(exc)}") from None
    return path


def start_record(run_id: str) -> dict[str, Any]:
    return {
        "formato": FORMAT,
        "id": run_id,
        "estado": RUNNING,
        "inicio": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "fim": None,
        "processo": {"pid": os.getpid(), "maquina": socket.gethostname()},
    }


@dataclass(frozen=True)
class Run:
    """One run folder and its record."""

    folder: Path
    record: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.record.get("id", self.folder.name))

    @property
    def state(self) -> str:
        state = str(self.record.get("estado", "?"))
        if state == RUNNING and not self._alive():
            return "abortada"
        return state

    @property
    def results_dir(self) -> Path:
        return Path(self.record.get("resultados") or self.folder / RESULTS_NAME)

    @property
    def load_dir(self) -> Path:
        return self.folder / LOAD_NAME

    @property
    def verdict(self) -> str:
        return str((self.record.get("veredito") or {}).get("veredito", "—"))

    @property
    def embedded(self) -> bool:
        return bool((self.record.get("alvo") or {}).get("embutido"))

    def _alive(self) -> bool:
        proc = self.record.get("processo") or {}
        if proc.get("maquina") != socket.gethostname():
            return True  # another machine's run: cannot tell
        try:
            os.kill(int(proc.get("pid", 0)), 0)
        except (OSError, ValueError):
            return False
        return True


def read_run(folder: Path) -> Run:
    path = folder / RECORD_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(f"{folder} não é uma pasta de execução (falta {RECORD_NAME})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunError(f"registro da execução ilegível: {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("formato") != FORMAT:
        raise RunError(f"registro da execução em formato desconhecido: {path}")
    return Run(folder, data)


def list_runs(base: Path) -> list[Run]:
    """Every readable run under ``base``, oldest first (ids sort by start time)."""
    if not base.is_dir():
        return []
    runs = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and (p / RECORD_NAME).is_file()):
        try:
            runs.append(read_run(folder))
        except RunError:
            continue
    return runs


def find_run(base: Path, ref: str | None) -> Run:
    """The run named by ``ref`` (an id, a unique id prefix or a folder), else the latest finished run."""
    if ref:
        as_path = Path(ref)
        if (as_path / RECORD_NAME).is_file():
            return read_run(as_path)
        matches = [r for r in list_runs(base) if r.id == ref or r.folder.name.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise RunError(f"execução {ref!r} não encontrada em {base} (veja: homologa execucoes)")
        raise RunError(f"{ref!r} corresponde a {len(matches)} execuções; use o id completo (homologa execucoes)")
    finished = [r for r in list_runs(base) if r.state in (FINISHED, INTERRUPTED)]
    if not finished:
        raise RunError(
            f"nenhuma execução concluída em {base}: rode antes `pytest suites --target URL` "
            "(ou indique a execução com --execucao)"
        )
    return finished[-1]


SEEDS_NAME = ".sementes"


def claim_seed(base: Path, start: int, modulus: int, tries: int = 1000) -> int:
    """The first customer seed from ``start`` (mod ``modulus``) that no other run under ``base`` has claimed.

    The default seed is the start second, so runs in distinct seconds get disjoint new CNPJs; two runs started in
    the same second in the same checkout (two terminals, a CI matrix on one machine) would get the same seed. Each
    seed is claimed with an exclusive create (``O_EXCL``): the second run takes the next free one. A claim that
    cannot be written (read-only base) falls back to ``start``.
    """
    folder = base / SEEDS_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return start % modulus
    for step in range(tries):
        seed = (start + step) % modulus
        try:
            fd = os.open(folder / str(seed), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            continue
        except OSError:
            return start % modulus
        os.close(fd)
        return seed
    return start % modulus
