"""Operating-system errors reach a distributor in pt-BR only, through one function (homologa.oserrors.why)."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from homologa.oserrors import why

SRC = Path(__file__).resolve().parents[1] / "src" / "homologa"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (errno.EISDIR, "é uma pasta, não um arquivo"),
        (errno.EROFS, "sistema de arquivos somente leitura"),
        (errno.ENOSPC, "sem espaço em disco"),
        (errno.EACCES, "sem permissão"),
        (errno.ENOENT, "caminho inexistente"),
    ],
)
def test_common_errors_read_in_pt_br_without_python_s_english(code: int, expected: str) -> None:
    exc = OSError(code, os.strerror(code))
    assert why(exc) == expected
    assert os.strerror(code) not in why(exc)


def test_an_untranslated_error_is_named_by_its_symbol_not_by_english_text() -> None:
    assert why(OSError(errno.ECONNRESET, os.strerror(errno.ECONNRESET))) == "erro do sistema ECONNRESET"
    assert why(OSError("sem número")) == "erro do sistema"


def test_a_real_failure_reads_in_pt_br(tmp_path: Path) -> None:
    with pytest.raises(OSError) as info:
        tmp_path.joinpath("x").mkdir() or tmp_path.joinpath("x").write_text("a")  # writing to a folder
    assert why(info.value) == "é uma pasta, não um arquivo"


def test_no_module_prints_python_s_english_strerror() -> None:
    """One source of truth: every OSError text a distributor reads comes from oserrors.why."""
    users = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if path.name != "oserrors.py" and re.search(r"\.strerror\b", path.read_text(encoding="utf-8"))
    ]
    assert users == [], f"use homologa.oserrors.why em vez de exc.strerror em: {users}"
