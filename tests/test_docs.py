"""The README and the docs site say what the code does: their examples run, their tables match the catalogues.

Every ``toml`` block of the docs is a ``homologacao.toml`` that the real loader accepts; the profile reference names
every section and key of the loader's schema; the fault table lists exactly the reference server's catalogue; the
``python`` examples of the generator page run; the ``curl`` example of the reference-distributor page, sent to a
real reference server, gets ``PEN``. The README stays short and keeps the two set-up commands CI executes.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from homologa.profile import SCHEMA, load_profile
from homologa.server import ReferenceServer, ServerConfig
from homologa.server.faults import FAULTS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = sorted(DOCS.glob("*.md"))
SET_UP_COMMANDS = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/pytest suites",
    "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && npm ci --prefix reports "
    "&& .venv/bin/pytest -n 2 --dist loadfile",
)


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.DOTALL | re.M)


PACK_SNIPPET = "# pack.toml"  # first line of a docs block that is part of a contract pack, not a profile
ALL_TOML = [
    pytest.param(text, id=f"{page.name}-{number}")
    for page in [README, *PAGES]
    for number, text in enumerate(blocks(page, "toml"), 1)
]
TOML_EXAMPLES = [p for p in ALL_TOML if not str(p.values[0]).startswith(PACK_SNIPPET)]


@pytest.mark.parametrize("text", ALL_TOML)
def test_every_toml_block_is_toml(text: str) -> None:
    import tomllib

    tomllib.loads(text)


def test_the_docs_have_profile_examples() -> None:
    assert len(TOML_EXAMPLES) >= 3


@pytest.mark.parametrize("text", TOML_EXAMPLES)
def test_every_profile_example_loads(text: str, tmp_path: Path) -> None:
    path = tmp_path / "homologacao.toml"
    path.write_text(text, encoding="utf-8")
    load_profile(path)  # raises ProfileError (pt-BR, file:line) when an example drifts from the schema


def test_the_shipped_example_profile_loads_and_uses_every_section() -> None:
    example = ROOT / "homologacao.exemplo.toml"
    load_profile(example)
    text = example.read_text(encoding="utf-8")
    assert all(f"[{section}]" in text for section in SCHEMA)


def test_the_profile_reference_names_every_section_and_key() -> None:
    text = (DOCS / "perfil.md").read_text(encoding="utf-8")
    missing = [f"[{section}]" for section in SCHEMA if f"### `[{section}]`" not in text]
    missing += [f"{section}.{key}" for section, keys in SCHEMA.items() for key in keys if f"| `{key}` |" not in text]
    assert not missing, f"docs/perfil.md não documenta: {missing}"


def test_the_fault_table_lists_exactly_the_catalogue() -> None:
    text = (DOCS / "distribuidor-de-referencia.md").read_text(encoding="utf-8")
    section = text.split("## Falhas ligáveis", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z0-9-]+)` \|", section, flags=re.M)
    assert sorted(documented) == sorted(FAULTS)


def test_the_generator_examples_run() -> None:
    examples = blocks(DOCS / "gerador.md", "python")
    assert examples
    for code in examples:
        exec(compile(code, "docs/gerador.md", "exec"), {})


def test_the_curl_example_gets_pen_from_a_real_reference_server(tmp_path: Path) -> None:
    shell = "\n".join(blocks(DOCS / "distribuidor-de-referencia.md", "bash"))
    curl = re.search(r"^curl -s -X POST \S+ -H '([^']*)' --data-binary '([^']*)'", shell, flags=re.M)
    assert curl, "o exemplo com curl sumiu de docs/distribuidor-de-referencia.md"
    content_type = curl.group(1).split(":", 1)[1].strip()
    body = curl.group(2)
    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.db")) as server:
        answer = httpx.post(server.url, content=body.encode(), headers={"Content-Type": content_type}, timeout=10)
    assert answer.status_code == 200
    assert "<Status>PEN</Status>" in answer.text


def test_the_readme_is_short_and_keeps_the_two_set_up_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    for command in SET_UP_COMMANDS:
        assert command in text.splitlines()


def test_ci_runs_what_the_readme_says() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pip install -q -e '.[dev]' && npm ci --prefix reports" in ci
    assert ".venv/bin/pytest suites" in ci
    assert "mkdocs build --strict" in ci


def test_relative_links_of_the_readme_exist() -> None:
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text(encoding="utf-8"))
    local = [link for link in links if not re.match(r"^[a-z]+:", link)]
    assert local
    missing = [link for link in local if not (ROOT / link).exists()]
    assert not missing, f"o README aponta para arquivos que não existem: {missing}"
