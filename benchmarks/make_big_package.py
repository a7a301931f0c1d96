"""A large, intact homologation package, to measure the memory ``homologa verificar`` needs.

The package holds one Allure result, a manifest whose hashes, verdict, rule counts, contract and golden fingerprints
and seal are right (so ``verificar`` goes through every check and exits 0), and ``--membros`` extra members of
``--mib`` MiB each (random bytes, stored uncompressed so writing it is fast). Memory is then measured from outside::

    .venv/bin/python benchmarks/make_big_package.py /tmp/grande.zip --membros 8 --mib 200
    .venv/bin/python benchmarks/make_big_package.py /tmp/manifesto.zip --membros 0 --entradas 3000000
    /usr/bin/time -f "maxrss=%M KiB" .venv/bin/homologa verificar /tmp/grande.zip

Nothing is asserted: the figures and their date go in ``docs/pacote-e-verificacao.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from homologa import __version__
from homologa.contract import load_pack
from homologa.report import manifest as mf
from homologa.report.results import read_results
from homologa.report.verdict import overall_verdict, rule_verdicts

CHUNK = 1024 * 1024
RESULT = {
    "uuid": "00000000-0000-4000-8000-000000000001",
    "name": "test_r1_cliente_novo",
    "fullName": "suites.test_r1#test_r1_cliente_novo",
    "status": "passed",
    "stage": "finished",
    "start": 1_796_000_000_000,
    "stop": 1_796_000_001_000,
    "labels": [
        {"name": "epic", "value": "Contrato v1 — cadastro de clientes"},
        {"name": "feature", "value": "R1 · Cliente novo recebe PEN"},
        {"name": "severity", "value": "blocker"},
    ],
}


def _write_big(zf: zipfile.ZipFile, name: str, size: int, rng: random.Random) -> str:
    digest = hashlib.sha256()
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    with zf.open(info, "w", force_zip64=True) as out:
        left = size
        while left:
            block = rng.randbytes(min(CHUNK, left))
            digest.update(block)
            out.write(block)
            left -= len(block)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("saida", type=Path)
    parser.add_argument("--membros", type=int, default=8)
    parser.add_argument("--mib", type=int, default=200)
    parser.add_argument(
        "--entradas", type=int, default=0, help="entradas a mais no manifesto, de arquivos que não existem (hostil)"
    )
    args = parser.parse_args()
    result_name = "allure-results/00000000-0000-4000-8000-000000000001-result.json"
    result_bytes = json.dumps(RESULT, ensure_ascii=False).encode()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / Path(result_name).name).write_bytes(result_bytes)
        results = read_results(tmp)
    rng = random.Random(20261202)
    hashes = {result_name: mf.sha256_bytes(result_bytes)}
    tmp_zip = args.saida.with_suffix(".parcial")
    with zipfile.ZipFile(tmp_zip, "w", allowZip64=True) as zf:
        zf.writestr(result_name, result_bytes)
        for index in range(args.membros):
            name = f"anexos/bloco-{index:02d}.bin"
            hashes[name] = _write_big(zf, name, args.mib * 1024 * 1024, rng)
    pack = load_pack()
    manifest: dict[str, Any] = {
        "formato": mf.FORMAT,
        "homologa": __version__,
        "veredito": overall_verdict(results),
        "regras": {
            v.rule: {"passaram": v.passed, "falharam": v.failed, "veredito": v.verdict} for v in rule_verdicts(results)
        },
        "contrato": {"versao": pack.version, "sha256": pack.sha256},
        "golden": mf.golden_fingerprint(),
        "arquivos": dict(sorted(hashes.items())),
    }
    for index in range(args.entradas):
        manifest["arquivos"][f"falso/{index:08d}.json"] = "0" * 64
    manifest["selo"] = mf.seal(manifest)
    with zipfile.ZipFile(tmp_zip, "a") as zf:
        zf.writestr(mf.MANIFEST_NAME, mf.dumps(manifest))
    tmp_zip.replace(args.saida)
    total = args.membros * args.mib
    print(
        f"{args.saida}: {args.membros} membros de {args.mib} MiB ({total} MiB), {len(manifest['arquivos'])} "
        f"entradas no manifesto, veredito {manifest['veredito']}"
    )


if __name__ == "__main__":
    main()
