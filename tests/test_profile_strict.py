"""A typo in ``homologacao.toml`` is an error with file, line and a suggestion — never a silent fallback to the
embedded reference distributor (which once ended APROVADO, exit 0). Suite exit 4; CLI and load profile exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from homologa.profile import ProfileError, load_profile

ROOT = Path(__file__).resolve().parents[1]


CASES = [
    ('[alvo]\nurll = "http://erp/x"\n', 'homologacao.toml:2: chave desconhecida alvo.urll (você quis dizer "url"?)'),
    ('[alvos]\nurl = "http://erp/x"\n', 'homologacao.toml:1: seção desconhecida [alvos] (você quis dizer "alvo"?)'),
    ('[alvo]\nurl = "http://x/y"\ntimeout = "dez"\n', "toml:3: alvo.timeout: esperado número, recebeu texto 'dez'"),
    ("[alvo]\nurl = 42\n", "homologacao.toml:2: alvo.url: esperado texto, recebeu número inteiro 42"),
    ('[autenticacao]\nberer = "t"\n', 'toml:2: chave desconhecida autenticacao.berer (você quis dizer "bearer"?)'),
]


@pytest.mark.parametrize(("text", "message"), CASES)
def test_unknown_keys_and_wrong_types_name_file_line_and_fix(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "homologacao.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(caught.value).endswith(message)


def test_the_example_profile_is_valid() -> None:
    assert load_profile(ROOT / "homologacao.exemplo.toml").target


def _typo(folder: Path) -> dict[str, str]:
    (folder / "homologacao.toml").write_text('[alvo]\nurll = "http://erp.exemplo/clientes"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMOLOGA_")}
    env["HOMOLOGA_EXECUCOES"] = str(folder / "execucoes")
    return env


def test_a_typo_stops_the_suite_the_cli_and_the_load_profile(tmp_path: Path) -> None:
    env = _typo(tmp_path)
    line = 'homologacao.toml:2: chave desconhecida alvo.urll (você quis dizer "url"?)'
    commands = {
        4: [sys.executable, "-m", "pytest", str(ROOT / "suites"), "-q", "-p", "no:cacheprovider"],
        2: [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "locustfile.py"), "--headless",
            "--host", "http://127.0.0.1:9", "--customers", "10"],
    }  # fmt: skip
    for code, args in commands.items():
        done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
        both = done.stdout + done.stderr
        assert done.returncode == code, both[-2000:]
        assert line in both and "Traceback" not in both
        assert "APROVADO" not in both
    assert not list((tmp_path / "execucoes").glob("*/execucao.json"))  # nothing ran, nothing to report
    done = subprocess.run(
        [sys.executable, "-m", "homologa", "relatorio", "--perfil", "homologacao.toml", "--execucao", "x"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
