"""``homologa verificar``: recompute every hash of a package and check what its manifest claims.

Finds files edited, missing or added after packaging, a contract pack or golden set other than the ones this
version of homologa ships, a verdict that does not follow from the results inside, load figures or a burst in the
manifest other than the ones of ``carga/resultado.json`` inside, and a seal that does not match
(the manifest itself edited). Tamper evidence only: it is not a signature by the platform.

Two kinds of finding, two exit codes of ``homologa verificar``: ``problems`` are evidence that the package was
altered or does not agree with itself (exit 1); ``unreadable`` are contents that cannot be read at all (exit 2: not
"altered", since nothing shows a change). A package refused as hostile never gets here (:mod:`archive`, exit 2).
When the package holds the run's record (``execucao.json``), the verdict is recomputed with it — deselected
scenarios, interruption, protected fields — exactly as the run judged itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from homologa import __version__
from homologa.contract import ContractPackError, load_pack
from homologa.judgement import worse
from homologa.report import burst
from homologa.report import manifest as mf
from homologa.report.archive import Archive, ArchiveError
from homologa.report.load_evidence import FULL_NAME, Session
from homologa.report.results import Results
from homologa.report.verdict import overall_verdict, rule_verdicts
from homologa.runs import RUN_LABEL


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unreadable

    @property
    def altered(self) -> bool:
        return bool(self.problems)


def check_files(archive: Archive, out: Verification) -> None:
    listed: dict[str, object] = archive.manifest["arquivos"]
    for name, expected in sorted(listed.items()):
        actual = archive.hashes.get(name)
        if actual is None:
            out.problems.append(f"arquivo ausente: {name}")
        elif actual != expected:
            out.problems.append(f"arquivo alterado: {name} (SHA-256 não confere)")
    for name in sorted(set(archive.hashes) - set(listed) - {mf.MANIFEST_NAME}):
        out.problems.append(f"arquivo a mais, fora do manifesto: {name}")


def check_seal(archive: Archive, out: Verification, expected: str | None) -> None:
    recorded = archive.manifest.get("selo")
    actual = mf.seal(archive.manifest)
    if recorded != actual:
        out.problems.append("manifesto alterado: o selo registrado não confere com o conteúdo do manifesto")
    if expected is not None and expected.strip().lower() != actual:
        out.problems.append(f"selo diferente do informado: o pacote tem {actual}, esperado {expected.strip()}")


def check_shipped_data(archive: Archive, out: Verification) -> None:
    contract = archive.manifest.get("contrato") or {}
    version = str(contract.get("versao", "?"))
    name = str(contract.get("nome") or version)
    try:
        if "/" in name or "\\" in name:
            raise ContractPackError(name)  # a pack from a folder: only the shipped ones can be verified
        pack = load_pack(name)
    except ContractPackError:
        out.problems.append(f"pacote de contrato {name} do pacote não é distribuído pelo homologa {__version__}")
    else:
        if contract.get("sha256") != pack.sha256:
            out.problems.append(
                f"pacote de contrato {name} diferente do distribuído pelo homologa {__version__} (SHA-256 não confere)"
            )
    golden = archive.manifest.get("golden") or {}
    if golden.get("sha256") != mf.golden_fingerprint()["sha256"]:
        out.problems.append(f"mensagens golden diferentes das distribuídas pelo homologa {__version__}")
    recorded = archive.manifest.get("homologa")
    if recorded != __version__:
        out.notes.append(f"pacote gerado pelo homologa {recorded}; verificado com o homologa {__version__}")


def check_load(manifest: dict[str, Any], found: Session, out: Verification) -> None:
    """The manifest's ``carga`` says what ``carga/resultado.json`` inside the package says: the same counts,
    latencies and verdict, and the same burst (times, plan, shape, limits)."""
    claimed = manifest.get("carga")
    actual = found.tally.to_json() if found.tally is not None else None
    if claimed is None or actual is None:
        if claimed != actual:
            which = "não tem carga" if claimed is None else "tem números de carga"
            out.problems.append(f"carga: o manifesto {which}, mas o pacote {'tem' if actual else 'não tem'} a carga")
        return
    for key, value in actual.items():
        if claimed.get(key) != value:
            out.problems.append(f"carga: o manifesto diz {key} = {claimed.get(key)!r}, a carga do pacote diz {value!r}")
    if found.load_problem:
        out.problems.append(f"carga: {found.load_problem}")
    if found.burst is not None or "rajada" in claimed:
        recorded = burst.manifest_section(found.burst) if found.burst is not None else None
        if claimed.get("rajada") != recorded:
            out.problems.append("carga: a rajada descrita no manifesto não é a do carga/resultado.json do pacote")


def check_verdict(archive: Archive, out: Verification) -> None:
    try:
        found = archive.session()
        results = found.results
        record = archive.record()
    except ArchiveError as exc:
        out.unreadable.append(str(exc))
        return
    check_load(archive.manifest, found, out)
    check_record(archive.manifest, results, record, out)
    actual = overall_verdict(results, record) if record is not None else overall_verdict(results)
    claimed = archive.manifest.get("veredito")
    if claimed != actual:
        out.problems.append(f"veredito do manifesto ({claimed}) não confere com os resultados do pacote ({actual})")
    claimed_rules = archive.manifest.get("regras") or {}
    for verdict in rule_verdicts(results):
        recorded = claimed_rules.get(verdict.rule) or {}
        if (recorded.get("passaram"), recorded.get("falharam")) != (verdict.passed, verdict.failed):
            out.problems.append(
                f"regra {verdict.rule}: manifesto diz {recorded.get('passaram')} passaram e "
                f"{recorded.get('falharam')} falharam; os resultados têm {verdict.passed} e {verdict.failed}"
            )


def check_record(manifest: dict[str, Any], results: Results, record: dict[str, Any] | None, out: Verification) -> None:
    """The package agrees with the run's own record: same run, same target, its results only, all of them, and a
    verdict no better than the one the run gave itself."""
    described = manifest.get("execucao")
    if record is None:
        if isinstance(described, dict) and described.get("id"):
            out.problems.append(
                f"o manifesto descreve a execução {described['id']}, mas o pacote não tem execucao.json"
            )
        return
    run_id = str(record.get("id", ""))
    target = record.get("alvo") or {}
    pairs = [
        ("execução", (described or {}).get("id") if isinstance(described, dict) else None, run_id),
        ("alvo", manifest.get("alvo"), target.get("url")),
        ("identidade do alvo", manifest.get("alvo_id"), target.get("id")),
        ("demonstração", bool(manifest.get("demonstracao")), bool(target.get("embutido"))),
    ]
    for what, claimed, recorded in pairs:
        if claimed != recorded:
            out.problems.append(f"{what}: o manifesto diz {claimed!r}, o registro da execução diz {recorded!r}")
    contract = [t for t in results.tests if t.full_name != FULL_NAME]
    foreign = sum(t.label(RUN_LABEL) != run_id for t in contract)
    if foreign:
        out.problems.append(f"{foreign} resultado(s) do pacote não são da execução {run_id}")
    executed = (record.get("selecao") or {}).get("executados")
    if isinstance(executed, int) and len(contract) != executed:
        out.problems.append(
            f"o registro diz {executed} cenário(s) executados; o pacote tem {len(contract)} resultado(s)"
        )
    own = str((record.get("veredito") or {}).get("veredito") or "")
    claimed_verdict = str(manifest.get("veredito") or "")
    if own and worse(claimed_verdict, own):
        out.problems.append(f"veredito do manifesto ({claimed_verdict}) melhor que o da própria execução ({own})")


def verify(archive: Archive, expected_seal: str | None = None) -> Verification:
    out = Verification()
    check_files(archive, out)
    check_seal(archive, out, expected_seal)
    check_shipped_data(archive, out)
    check_verdict(archive, out)
    return out
