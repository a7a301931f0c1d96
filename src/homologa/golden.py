"""The golden ``CadastroCliente`` messages shipped with homologa (``fixtures/golden/``) and their expectations.

``index.toml`` lists each file with a pt-BR description, the tags of what it exercises and the status a
distributor must answer on a first send. The contract suite replays them; the harness's tests check each one
against the contract pack.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from homologa import xmlsafe
from homologa.messages import read_request
from homologa.model import STATUSES, CadastroCliente
from homologa.resources import golden_dir

INDEX = "index.toml"


@dataclass(frozen=True, slots=True)
class Golden:
    """One golden message: what it is, what it exercises and what a first send must get."""

    name: str
    description: str
    tags: tuple[str, ...]
    path: Path
    message: CadastroCliente
    expected_status: str

    @property
    def data(self) -> bytes:
        """The file's exact bytes (send these, not a re-rendering)."""
        return self.path.read_bytes()


class GoldenError(Exception):
    """``index.toml`` and the files disagree, or an entry is incomplete."""


def load_golden(folder: Path | None = None) -> list[Golden]:
    """Every golden message listed in ``index.toml``, in its order."""
    folder = golden_dir() if folder is None else folder
    index = folder / INDEX
    try:
        entries = tomllib.loads(index.read_text(encoding="utf-8"))["mensagem"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise GoldenError(f"{index}: índice das mensagens de ouro ilegível ({exc})") from None
    found = []
    for entry in entries:
        try:
            path = folder / str(entry["arquivo"])
            status = str(entry["status_esperado"])
            description = str(entry["descricao"])
            tags = tuple(str(t) for t in entry.get("tags", []))
        except KeyError as exc:
            raise GoldenError(f"{index}: entrada {entry!r} sem a chave {exc}") from None
        if status not in STATUSES:
            raise GoldenError(f"{index}: {path.name}: status esperado {status!r} fora de {sorted(STATUSES)}")
        try:
            message = read_request(xmlsafe.parse(path.read_bytes()))
        except (OSError, ValueError) as exc:
            raise GoldenError(f"{path}: mensagem de ouro ilegível ({exc})") from None
        found.append(Golden(path.stem, description, tags, path, message, status))
    return found
