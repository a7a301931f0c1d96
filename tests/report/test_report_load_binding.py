"""Which load run a report attaches: the run's own, or one about the same target; never another target's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import report_support as support

from homologa.report.run_evidence import EvidenceError, bind_load, choose_run
from homologa.runs import read_run
from homologa.target import target_identity


def _run(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "allure-results").mkdir()
    support.write_record(folder)
    return folder


def _load(folder: Path, target: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = dict(support.TALLY)
    data.pop("alvo_id")
    if target is not None:
        data["alvo_id"] = target_identity(target)
        data["alvo"] = "http://outro-erp/x" if target != support.TARGET else data["alvo"]
    (folder / "resultado.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_own_load_folder_comes_first(tmp_path: Path) -> None:
    run = read_run(_run(tmp_path / "execucao"))
    _load(run.load_dir, None)  # written by this very run (pytest suites --with-load): no identity check needed
    shared = _load(tmp_path / "reports" / "carga", "http://outro-erp/x")
    bound = bind_load(run, None, shared)
    assert bound.folder == run.load_dir and "carga desta execução" in bound.note


def test_shared_load_of_the_same_target_is_attached(tmp_path: Path) -> None:
    run = read_run(_run(tmp_path / "execucao"))
    # the same endpoint spelled differently (case, default port, trailing slash, another key) is the same target
    same = support.TARGET.replace("127.0.0.1:9/clientes", "127.0.0.1:9/clientes/").replace("chave-query", "outra")
    shared = _load(tmp_path / "reports" / "carga", same)
    assert bind_load(run, None, shared).folder == shared


def test_shared_load_of_another_target_is_left_out_with_the_reason(tmp_path: Path) -> None:
    run = read_run(_run(tmp_path / "execucao"))
    shared = _load(tmp_path / "reports" / "carga", "http://outro-erp/x")
    bound = bind_load(run, None, shared)
    assert bound.folder is None
    assert bound.note.startswith("carga não anexada: a carga em") and "outro alvo (http://outro-erp/x)" in bound.note


def test_shared_load_without_identity_is_left_out(tmp_path: Path) -> None:
    run = read_run(_run(tmp_path / "execucao"))
    shared = _load(tmp_path / "reports" / "carga", None)
    bound = bind_load(run, None, shared)
    assert bound.folder is None and "não diz qual alvo recebeu a carga" in bound.note


def test_explicit_load_of_another_target_is_refused(tmp_path: Path) -> None:
    run = read_run(_run(tmp_path / "execucao"))
    other = _load(tmp_path / "outra-carga", "http://outro-erp/x")
    with pytest.raises(EvidenceError, match="foi contra outro alvo"):
        bind_load(run, other, None)
    with pytest.raises(EvidenceError, match=r"não há resultado\.json"):
        bind_load(run, tmp_path / "vazia", None)


def test_no_run_yet_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match=r"nenhuma execução concluída .*`pytest suites --target URL`"):
        choose_run(None, tmp_path / "execucoes")
    with pytest.raises(EvidenceError, match="não encontrada"):
        choose_run("20990101", tmp_path / "execucoes")
