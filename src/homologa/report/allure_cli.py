"""Running the Allure CLI pinned in ``reports/package.json`` (installed with ``npm ci --prefix reports``).

Allure 3 (the ``allure`` npm package) is preferred: ``allure awesome --single-file`` in Portuguese, grouped by rule
(epic > feature > story), with a configuration written for the run (:mod:`homologa.allure3`, shared with the suite) that
carries the suite's failure categories. An Allure 2 CLI (``allure-commandline``, Java) also works, with
``--single-file`` (it reads ``categories.json`` from the results itself). The CLI is looked up in
``$HOMOLOGA_ALLURE``, then ``reports/node_modules/.bin`` of the current folder and of the homologa checkout, then
``PATH``; when none is there (``pip install`` alone), the pinned CLI is installed into the user's cache on first use
(:mod:`homologa.report.allure_install`). ``$HOMOLOGA_ALLURE``, when set, is the only place looked at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from homologa import allure3
from homologa.report import allure_install

INSTALL_COMMAND = "npm ci --prefix reports"
ENV_VARIABLE = "HOMOLOGA_ALLURE"
_BIN = Path("reports") / "node_modules" / ".bin" / "allure"
_CHECKOUT = Path(__file__).resolve().parents[3]
TIMEOUT_S = 300.0
BY_PRODUCTS = ("summary.json", "test-results.json")


class AllureError(Exception):
    """The Allure CLI is missing or failed; the message is pt-BR and says what to do."""


@dataclass(frozen=True)
class AllureCli:
    executable: Path
    version: str

    @property
    def major(self) -> int:
        head = self.version.split(".", 1)[0]
        return int(head) if head.isdigit() else 0


def candidates(cwd: Path | None = None) -> list[Path]:
    """Where to look, in order; ``$HOMOLOGA_ALLURE``, when set, is the only place."""
    explicit = os.environ.get(ENV_VARIABLE)
    if explicit:
        return [Path(explicit)]
    found = [(cwd or Path.cwd()) / _BIN, _CHECKOUT / _BIN]
    on_path = shutil.which("allure")
    if on_path:
        found.append(Path(on_path))
    return found


def _not_installed(detail: str = "") -> AllureError:
    extra = f" ({detail})" if detail else ""
    return AllureError(
        f"o Allure CLI não está instalado{extra}; instale com: {INSTALL_COMMAND} "
        f"(precisa do Node.js 18+; ou aponte ${ENV_VARIABLE} para o executável allure)"
    )


def _version(executable: Path) -> str:
    try:
        done = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _not_installed(f"{executable} não executa: {exc}") from None
    text = (done.stdout or "").strip().splitlines()
    if done.returncode != 0 or not text:
        raise _not_installed(f"{executable} --version falhou: {(done.stderr or '').strip()[:200]}")
    return text[-1].strip()


def find_allure(cwd: Path | None = None) -> AllureCli:
    """The first Allure CLI that runs, or :class:`AllureError` saying how to install it."""
    for path in candidates(cwd):
        if path.is_file() and os.access(path, os.X_OK):
            return AllureCli(path, _version(path))
    explicit = os.environ.get(ENV_VARIABLE)
    if explicit:
        raise _not_installed(f"${ENV_VARIABLE} aponta para {explicit}, que não é executável")
    try:
        installed = allure_install.ensure()
    except allure_install.InstallError as exc:
        raise AllureError(str(exc)) from None
    return AllureCli(installed, _version(installed))


def generate(cli: AllureCli, results: Path, output_dir: Path, name: str) -> Path:
    """Run the Allure CLI in single-file mode into ``output_dir``; return the generated ``index.html``."""
    output_dir = output_dir.resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    index = output_dir / "index.html"
    index.unlink(missing_ok=True)  # never hand over a previous run's report as this one's
    results = results.resolve()
    env = dict(os.environ, ALLURE_NO_ANALYTICS="true")
    with tempfile.TemporaryDirectory(prefix="homologa-allure-") as tmp:
        if cli.major >= 3:
            config = Path(tmp) / "allurerc.mjs"
            config.write_text(allure3.config_text(name, allure3.read_categories(results)), encoding="utf-8")
            args = [
                str(cli.executable), "awesome", "--single-file", "--report-language", allure3.LANGUAGE,
                "--group-by", ",".join(allure3.GROUP_BY), "--config", str(config), "--output", str(output_dir),
                "--report-name", name, str(results),
            ]  # fmt: skip
        else:
            args = [str(cli.executable), "generate", "--single-file", "--clean", "-o", str(output_dir), str(results)]
        try:
            done = subprocess.run(
                args, capture_output=True, text=True, timeout=TIMEOUT_S, check=False, env=env, cwd=tmp
            )
        except subprocess.TimeoutExpired:
            raise AllureError(f"o Allure CLI não terminou em {TIMEOUT_S:.0f} s") from None
        except OSError as exc:
            raise _not_installed(str(exc)) from None
    for by_product in BY_PRODUCTS:  # Allure 3 writes its run summary beside the page; the page is the report
        (output_dir / by_product).unlink(missing_ok=True)
    if done.returncode != 0 or not index.is_file():
        tail = " ".join((done.stderr or done.stdout or "").split())[-300:]
        raise AllureError(f"o Allure CLI {cli.version} falhou (código {done.returncode}): {tail}")
    return index
