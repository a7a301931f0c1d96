"""One language per command line: the pytest options are pytest's (English), and the first pt-BR spelling of the
full run, ``--com-carga``, still works as an alias of ``--with-load``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def collected(*args: str) -> list[str]:
    """The go-live burst's tests that ``pytest suites/carga`` collects with ``args``."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "suites/carga", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, pytest.ExitCode.NO_TESTS_COLLECTED), done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


@pytest.mark.parametrize("flag", ["--with-load", "--com-carga"])
def test_the_full_run_flag_and_its_old_spelling_both_bring_the_go_live_burst(flag: str) -> None:
    assert collected(flag)


def test_without_the_flag_the_go_live_burst_is_left_out() -> None:
    assert collected() == []


def test_pytest_help_lists_the_english_options_with_pt_br_texts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "--help", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    for option in ("--target=URL", "--homologa-profile=ARQUIVO", "--contract=NOME|PASTA", "--with-load"):
        assert option in done.stdout, option
    assert "homologação completa" in done.stdout


def test_with_pytest_timeout_installed_the_suite_keeps_only_the_prefixed_timeout(tmp_path: Path) -> None:
    # a stand-in for the pytest-timeout plugin: its own --timeout, in its own option group
    (tmp_path / "pytest_timeout.py").write_text(
        "def pytest_addoption(parser):\n"
        "    parser.getgroup('timeout').addoption('--timeout', help='timeout do pytest-timeout')\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "--help", "-p", "no:cacheprovider", "-p", "pytest_timeout"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "timeout do pytest-timeout" in done.stdout and "--homologa-timeout=S" in done.stdout
