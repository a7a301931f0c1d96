"""Reading a homologation package back: its members, its manifest and the Allure results inside it."""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from homologa.report.load_evidence import Session, session
from homologa.report.manifest import MANIFEST_NAME
from homologa.report.package import LOAD_PREFIX, RESULTS_PREFIX
from homologa.report.results import Results, ResultsError
from homologa.report.tally import TallyError

MAX_MEMBER_BYTES = 512 * 1024 * 1024


class ArchiveError(Exception):
    """Not a readable homologation package; the message is pt-BR."""


@dataclass(frozen=True)
class Archive:
    path: Path
    members: dict[str, bytes]
    manifest: dict[str, Any]

    def session(self) -> Session:
        """The results and the load tally inside the package, read as ``homologa relatorio`` reads them."""
        with tempfile.TemporaryDirectory(prefix="homologa-pacote-") as tmp:
            results_dir, load_dir = Path(tmp) / "allure-results", Path(tmp) / "carga"
            for prefix, folder in ((RESULTS_PREFIX, results_dir), (LOAD_PREFIX, load_dir)):
                folder.mkdir()
                for name, data in self.members.items():
                    if name.startswith(prefix) and "/" not in name[len(prefix) :]:
                        (folder / name[len(prefix) :]).write_bytes(data)
            try:
                found = session(results_dir, load_dir)
            except (ResultsError, TallyError) as exc:
                raise ArchiveError(f"resultados do pacote: {exc}") from None
            results = Results(folder=self.path, tests=found.results.tests, environment=found.results.environment)
            return Session(results, found.tally)


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


def open_archive(path: str | Path) -> Archive:
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members: dict[str, bytes] = {}
            for info in zf.infolist():
                if info.is_dir():
                    continue
                if not _safe_name(info.filename):
                    raise ArchiveError(f"{path.name}: nome de arquivo inseguro no pacote: {info.filename!r}")
                if info.file_size > MAX_MEMBER_BYTES:
                    raise ArchiveError(f"{path.name}: arquivo grande demais no pacote: {info.filename}")
                members[info.filename] = zf.read(info)
    except FileNotFoundError:
        raise ArchiveError(f"pacote não encontrado: {path}") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"{path}: não é um pacote zip legível ({exc})") from None
    raw = members.get(MANIFEST_NAME)
    if raw is None:
        raise ArchiveError(f"{path.name}: pacote sem {MANIFEST_NAME}")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveError(f"{path.name}: {MANIFEST_NAME} ilegível ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("arquivos"), dict):
        raise ArchiveError(f"{path.name}: {MANIFEST_NAME} sem a lista de arquivos")
    return Archive(path, members, manifest)
