"""``manifesto.json``: what a homologation package holds and what it claims.

SHA-256 of every file, of the contract pack and of the golden set this run used, the harness version, the target
(masked), the profile (secrets masked), start and end times, the verdict per rule and overall, the load figures.
The ``selo`` is the SHA-256 of the rest of the manifest: whoever receives the package can compare it with the seal
sent through another channel. This is tamper *evidence*, not a signature: someone who edits files and rewrites the
manifest consistently is caught only by a seal kept elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from homologa.profile import Profile
from homologa.resources import golden_dir
from homologa.secrets import MASK, mask_header, mask_url

MANIFEST_NAME = "manifesto.json"
FORMAT = 1


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def folder_sha256(folder: Path) -> tuple[str, int]:
    """Hash of every file in ``folder`` (relative name and content, sorted), as the contract pack is hashed."""
    digest = hashlib.sha256()
    count = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
        count += 1
    return digest.hexdigest(), count


def golden_fingerprint() -> dict[str, Any]:
    try:
        folder = golden_dir()
    except FileNotFoundError:
        return {"sha256": None, "arquivos": 0}
    sha, count = folder_sha256(folder)
    return {"sha256": sha, "arquivos": count}


def masked_profile(profile: Profile) -> dict[str, Any]:
    """The profile as the manifest shows it: everything but secrets (password, token, secret headers, key path)."""
    auth = profile.auth
    basic = None
    if auth.basic:
        basic = f"{auth.basic.split(':', 1)[0]}:{MASK}"
    load = profile.load
    return {
        "arquivo": profile.path.name if profile.path else None,
        "distribuidor": {"nome": profile.name, "cnpj": profile.cnpj},
        "alvo": {"url": mask_url(profile.target) if profile.target else None, "timeout": profile.timeout},
        "autenticacao": {
            "basic": basic,
            "bearer": MASK if auth.bearer else None,
            "cabecalhos": {name: mask_header(name, MASK) for name in auth.headers},
            "certificado_cliente": Path(auth.client_cert).name if auth.client_cert else None,
            "chave_cliente": MASK if auth.client_key else None,
            "ca_bundle": Path(auth.ca_bundle).name if auth.ca_bundle else None,
            "inseguro": auth.insecure,
        },
        "campos_protegidos": list(profile.protected_fields),
        "latencia": {"p95_ms": profile.p95_budget_ms},
        "carga": {
            "faixas_cep": list(load.cep_ranges),
            "clientes": load.customers,
            "semente": load.seed,
            "reenvios": load.resend_share,
            "taxa": load.rate,
            "falhas_aceitas": load.accepted_failure_ratio,
        },
    }


def canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def seal(manifest: Mapping[str, Any]) -> str:
    """SHA-256 of the manifest without its own ``selo``."""
    return sha256_bytes(canonical({k: v for k, v in manifest.items() if k != "selo"}))


def dumps(manifest: Mapping[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")
