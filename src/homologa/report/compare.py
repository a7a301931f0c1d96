"""``homologa comparar``: what changed between two homologation packages (re-homologation after an ERP change)."""

from __future__ import annotations

from typing import Any

from homologa.report.archive import Archive

_LOAD_FIELDS = (
    ("planejados", "clientes planejados", ""),
    ("enviados", "clientes enviados", ""),
    ("clientes_por_segundo", "clientes por segundo", ""),
    ("p95_ms", "latência p95", " ms"),
)


def _rules(archive: Archive) -> dict[str, dict[str, Any]]:
    rules = archive.manifest.get("regras") or {}
    return {str(k): v for k, v in rules.items() if isinstance(v, dict)}


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",") + unit
    return f"{value}{unit}"


def compare(a: Archive, b: Archive) -> list[str]:
    """Lines, in pt-BR, describing the changes from ``a`` (before) to ``b`` (after)."""
    lines = []
    va, vb = a.manifest.get("veredito"), b.manifest.get("veredito")
    lines.append(f"veredito: {va} → {vb}" if va != vb else f"veredito: {vb} (sem mudança)")
    ra, rb = _rules(a), _rules(b)
    started, stopped, changed = [], [], []
    for rule in [*ra, *(r for r in rb if r not in ra)]:
        fa = (ra.get(rule) or {}).get("falharam", 0) or 0
        fb = (rb.get(rule) or {}).get("falharam", 0) or 0
        if not fa and fb:
            started.append(f"  {rule}: {fb} cenário(s) falhando")
        elif fa and not fb:
            stopped.append(f"  {rule}: antes {fa} cenário(s) falhando")
        elif fa != fb:
            changed.append(f"  {rule}: {fa} → {fb} cenário(s) falhando")
    lines.append("regras que passaram a falhar:" if started else "regras que passaram a falhar: nenhuma")
    lines += started
    lines.append("regras que deixaram de falhar:" if stopped else "regras que deixaram de falhar: nenhuma")
    lines += stopped
    if changed:
        lines.append("regras que continuam falhando, com outra contagem:")
        lines += changed
    la, lb = a.manifest.get("carga"), b.manifest.get("carga")
    if not la and not lb:
        lines.append("carga: ausente nos dois pacotes")
    elif not la or not lb:
        lines.append(f"carga: só no pacote {'B' if lb else 'A'}")
    if la or lb:
        la, lb = la or {}, lb or {}
        for key, label, unit in _LOAD_FIELDS:
            x, y = la.get(key), lb.get(key)
            mark = "" if x == y else "  (mudou)"
            lines.append(f"  {label}: {_fmt(x, unit)} → {_fmt(y, unit)}{mark}")
        sa, sb = _shape(la), _shape(lb)
        if sa or sb:
            lines.append(f"  forma da rajada: {sa or '—'} → {sb or '—'}" + ("" if sa == sb else "  (mudou)"))
        fa, fb = la.get("falhas") or {}, lb.get("falhas") or {}
        for category in sorted(set(fa) | set(fb)):
            if fa.get(category, 0) != fb.get(category, 0):
                lines.append(f"  falhas '{category}': {fa.get(category, 0)} → {fb.get(category, 0)}")
    ca, cb = (a.manifest.get("contrato") or {}), (b.manifest.get("contrato") or {})
    if ca.get("sha256") != cb.get("sha256"):
        lines.append(f"contrato: v{ca.get('versao')} → v{cb.get('versao')} (pacote de contrato diferente)")
    if a.manifest.get("alvo") != b.manifest.get("alvo"):
        lines.append(f"alvo: {a.manifest.get('alvo') or '—'} → {b.manifest.get('alvo') or '—'}")
    if a.manifest.get("alvo_id") and b.manifest.get("alvo_id") and a.manifest["alvo_id"] != b.manifest["alvo_id"]:
        lines.append("ATENÇÃO: os pacotes são de alvos diferentes; a comparação não diz se o ERP melhorou")
    xa, xb = _executed(a), _executed(b)
    if xa is not None and xb is not None and xa != xb:
        lines.append(
            f"cenários executados: {xa} → {xb}" + ("  (menos cenários: não é a mesma cobertura)" if xb < xa else "")
        )
    for label, archive in (("A", a), ("B", b)):
        if archive.manifest.get("demonstracao"):
            lines.append(f"DEMONSTRAÇÃO: o pacote {label} é do distribuidor embutido, não de um ERP")
    return lines


def _executed(archive: Archive) -> int | None:
    run = archive.manifest.get("execucao")
    selection = run.get("selecao") if isinstance(run, dict) else None
    value = selection.get("executados") if isinstance(selection, dict) else None
    return value if isinstance(value, int) else None


def _shape(load: dict[str, Any]) -> str | None:
    """The burst's shape as the manifest's ``carga.rajada`` records it (``golive``, ``degraus``), if it does."""
    burst = load.get("rajada")
    shape = burst.get("forma") if isinstance(burst, dict) else None
    return shape if isinstance(shape, str) else None
