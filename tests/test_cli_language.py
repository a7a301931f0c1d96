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


GENERIC = ("--timeout", "--profile", "--header", "--insecure", "--bearer", "--basic-auth", "--client-cert",
           "--client-key", "--ca-bundle")  # fmt: skip


def test_another_plugin_or_conftest_may_own_the_generic_option_names(tmp_path: Path) -> None:
    # the plugin loads in every pytest run of its environment: a project's own conftest (or pytest-timeout, or
    # pytest-profiling) registering these names, with pytest's default destinations, must still start
    lines = [f"    parser.addoption({name!r}, help='do outro plugin')" for name in GENERIC]
    (tmp_path / "outro_plugin.py").write_text("def pytest_addoption(parser):\n" + "\n".join(lines) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "--help", "-p", "no:cacheprovider", "-p", "outro_plugin"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("do outro plugin") == len(GENERIC)
    for name in GENERIC:
        assert f"--homologa-{name[2:]}" in done.stdout, name
