"""Where the shipped data lives: the contract packs, the golden messages and the Allure CLI pin.

A wheel carries them inside the package (``homologa/_contracts``, ``homologa/_golden``, ``homologa/_allure``); an
editable install or a source checkout reads them from the repository's ``contracts/``, ``fixtures/golden/`` and
``reports/`` (``package.json`` and ``package-lock.json``).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parents[1]


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("dados do homologa não encontrados: " + ", ".join(str(c) for c in candidates))


def contracts_dir() -> Path:
    """Folder holding one sub-folder per contract version (``v1/``, ...)."""
    return _first_existing(_PACKAGE / "_contracts", _CHECKOUT / "contracts")


def golden_dir() -> Path:
    """Folder of the golden ``CadastroCliente`` messages shipped with this version."""
    return _first_existing(_PACKAGE / "_golden", _CHECKOUT / "fixtures" / "golden")


def allure_pins_dir() -> Path:
    """Folder holding the ``package.json`` and ``package-lock.json`` that pin the Allure CLI."""
    return _first_existing(_PACKAGE / "_allure", _CHECKOUT / "reports")
