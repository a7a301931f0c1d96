"""``homologacao-<CNPJ ou nome>-<AAAAMMDD>-<HHMMSS>-<selo8>.zip``: report, summary, raw Allure results, Locust output
and the manifest.

A package is never overwritten: its name carries the run's end time (UTC, to the second) and the first 8 hex digits
of its seal, and the file is created exclusively (``open(..., "xb")``). Two packages of different evidence get
different names; the same evidence packaged twice in the same second is refused with a clear message.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from homologa import __version__
from homologa.contract import load_pack
from homologa.oserrors import why
from homologa.report import burst, secretscan
from homologa.report import manifest as mf
from homologa.report.build import ReportOutcome
from homologa.report.verdict import rule_verdicts
from homologa.runs import RECORD_NAME, RUN_LABEL

REPORT_MEMBER = "relatorio/index.html"
RESULTS_PREFIX = "allure-results/"
LOAD_PREFIX = "carga/"
# zip members get a fixed timestamp: the same evidence gives the same bytes
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(Exception):
    """The package could not be written; the message is pt-BR."""


@dataclass(frozen=True)
class PackageOutcome:
    path: Path
    manifest: dict[str, Any]


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower() or "distribuidor"


def package_name(record: dict[str, Any], end_ms: int | None, seal: str) -> str:
    who = "distribuidor"
    distributor = record.get("distribuidor") or {}
    if distributor.get("cnpj"):
        who = re.sub(r"[^0-9A-Za-z]", "", str(distributor["cnpj"])).upper()
    elif distributor.get("nome"):
        who = slug(str(distributor["nome"]))
    if (record.get("alvo") or {}).get("embutido"):
        who = "demonstracao"
    when = datetime.fromtimestamp(end_ms / 1000, tz=UTC) if end_ms else datetime.now(tz=UTC)
    return f"homologacao-{who}-{when:%Y%m%d-%H%M%S}-{seal[:8]}.zip"


def _iso(ms: int | None) -> str | None:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="seconds") if ms else None


def _folder_members(folder: Path, prefix: str) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        prefix + path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _other_run(path: Path, run_id: str) -> bool:
    """A result file of another run (a shared ``--alluredir``): never packaged with this one."""
    if not path.name.endswith("-result.json"):
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    labels = data.get("labels") if isinstance(data, dict) else None
    values = [lb.get("value") for lb in labels or [] if isinstance(lb, dict) and lb.get("name") == RUN_LABEL]
    return values != [run_id]


def load_members(report: ReportOutcome) -> tuple[dict[str, bytes], list[tuple[str, str]]]:
    """The attached burst's files (``carga/...``) and the files of the folder left out as another burst's."""
    folder = report.load.folder
    if folder is None:
        return {}, []
    kept, left = burst.burst_files(folder, report.burst)
    return {LOAD_PREFIX + path.relative_to(folder).as_posix(): path.read_bytes() for path in kept}, left


def load_section(report: ReportOutcome) -> dict[str, Any] | None:
    """The manifest's ``carga``: the attached burst's counts and which burst it was (``rajada``)."""
    if report.tally is None:
        return None
    section = report.tally.to_json()
    if report.burst is not None:
        section["rajada"] = burst.manifest_section(report.burst)
    return section


def collect_members(report: ReportOutcome) -> dict[str, bytes]:
    members = {
        REPORT_MEMBER: report.index.read_bytes(),
        report.summary_html.name: report.summary_html.read_bytes(),
        report.summary_md.name: report.summary_md.read_bytes(),
        RECORD_NAME: (report.run.folder / RECORD_NAME).read_bytes(),
    }
    results = _folder_members(report.results.folder, RESULTS_PREFIX)
    # a results folder shared with other runs (--alluredir): only this run's results and the files they attach
    shared = bool(report.run.record.get("resultados"))
    own = {a.source for test in report.results.tests for a in test.attachments} | {"categories.json"}
    for name in list(results):
        file = name.removeprefix(RESULTS_PREFIX)
        if _other_run(report.results.folder / file, report.run.id):
            del results[name]
        elif shared and not file.endswith("-result.json") and file not in own:
            del results[name]  # another run's attachments, containers or environment.properties
    members.update(results)
    members.update(load_members(report)[0])
    return members


def _contract(record: dict[str, Any]) -> dict[str, Any]:
    """The pack the run used, as its record names it (runs recorded before packs had names: the shipped v1)."""
    recorded = record.get("contrato") or {}
    if recorded.get("sha256") and recorded.get("nome"):
        return {"versao": recorded.get("versao"), "nome": recorded["nome"], "sha256": recorded["sha256"]}
    pack = load_pack()
    return {"versao": pack.version, "nome": pack.name, "sha256": pack.sha256}


def build_manifest(report: ReportOutcome, members: dict[str, bytes]) -> dict[str, Any]:
    results = report.results
    record = report.run.record
    target = record.get("alvo") or {}
    manifest: dict[str, Any] = {
        "formato": mf.FORMAT,
        "homologa": __version__,
        "gerado_em": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "execucao": {
            "id": report.run.id,
            "estado": record.get("estado"),
            "selecao": record.get("selecao"),
            "semente_clientes": record.get("semente_clientes"),
            "homologa": record.get("homologa"),
        },
        "distribuidor": record.get("distribuidor"),
        "alvo": target.get("url"),
        "alvo_id": target.get("id"),
        "alvo_origem": target.get("origem"),
        "demonstracao": bool(target.get("embutido")),
        "perfil": record.get("perfil"),
        "opcoes": record.get("opcoes"),
        "inicio": record.get("inicio") or _iso(results.start_ms),
        "fim": record.get("fim") or _iso(results.stop_ms),
        "veredito": report.verdict,
        "faltando": list(report.judgement.missing),
        "regras": {
            v.rule: {"passaram": v.passed, "falharam": v.failed, "veredito": v.verdict} for v in rule_verdicts(results)
        },
        "carga": load_section(report),
        "carga_origem": report.load.note,
        "carga_fora_do_pacote": [f"{name}: {why}" for name, why in load_members(report)[1]],
        "contrato": _contract(record),
        "golden": mf.golden_fingerprint(),
        "arquivos": {name: mf.sha256_bytes(data) for name, data in sorted(members.items())},
    }
    manifest["selo"] = mf.seal(manifest)
    return manifest


def write_package(report: ReportOutcome, output_dir: Path) -> PackageOutcome:
    members = collect_members(report)
    leaked = secretscan.files_with_secrets(members, report.secrets)
    if leaked:
        raise PackageError(
            "um segredo do perfil (senha, token, chave) aparece nestes arquivos; pacote não gerado: "
            + ", ".join(leaked[:5])
        )
    manifest = build_manifest(report, members)
    path = output_dir / package_name(report.run.record, report.results.stop_ms, manifest["selo"])
    write_zip(path, [(mf.MANIFEST_NAME, mf.dumps(manifest)), *sorted(members.items())])
    return PackageOutcome(path, manifest)


def write_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    """Create ``path`` exclusively (never over an existing file); a half-written file is removed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("xb")
    except FileExistsError:
        raise PackageError(
            f"já existe um pacote com este nome: {path} (mesma evidência empacotada no mesmo segundo); "
            "nada foi sobrescrito"
        ) from None
    except OSError as exc:
        raise PackageError(f"não foi possível criar o pacote {path}: {why(exc)}") from None
    try:
        with handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise PackageError(f"não foi possível gravar o pacote {path}: {why(exc)}") from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
