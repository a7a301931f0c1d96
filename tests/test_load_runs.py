"""Real short bursts: Locust as a subprocess (never inside pytest: gevent monkey-patching) against the reference
distributor on a free loopback port, with its real SQLite database."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from slow_peers import (
    answer_huge,
    answer_pen_after,
    answer_pen_encoded,
    answer_pen_setting_cookie,
    answer_pen_with_head,
    gzip_of_zeros,
    record_only,
    redirect_to,
    serve,
    trickle_headers,
)

from homologa.generator import CustomerSource, parse_cep_range
from homologa.server import ReferenceServer, ServerConfig
from homologa.server.store import all_cnpjs

ROOT = Path(__file__).resolve().parents[1]
LOCUST = str(Path(sys.executable).with_name("locust"))
RANGE = "01000000-19999999"


@contextmanager
def reference(tmp_path: Path, *faults: str) -> Iterator[ReferenceServer]:
    with ReferenceServer(ServerConfig(db_path=tmp_path / "ref.db", port=0, faults=faults)) as server:
        yield server


# runs a command as its only child and prints that child's peak RSS (KiB) on stderr: the memory of one burst alone
PEAK_RSS = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print('pico-rss-kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def burst(
    url: str,
    tmp_path: Path,
    *extra: str,
    timeout: float = 90,
    seed: str | None = "7",
    report_name: str = "carga",
    peak_rss: bool = False,
) -> tuple[int, dict[str, Any], str]:
    """Run the profile headless; (exit code, resultado.json, output). ``seed=None``: the default (fresh customers)."""
    report = tmp_path / report_name
    args = ["-f", "loadtests/locustfile.py", "--headless", "--host", url, "--cep-range", RANGE]
    args += ["--seed", seed] if seed is not None else []
    args += ["--report-dir", str(report), "--ramp", "0", "--only-summary", *extra]
    wrapper = [sys.executable, "-c", PEAK_RSS] if peak_rss else []
    done = subprocess.run(
        [*wrapper, LOCUST, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False, env=_env()
    )
    output = done.stdout + done.stderr
    result_file = report / "resultado.json"
    result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else {}
    return done.returncode, result, output


def three_customers(address: str, tmp_path: Path) -> tuple[int, dict[str, Any], str]:
    """A three-customer burst, one user, against a loopback peer at ``address``."""
    url = f"http://{address}/clientes"
    return burst(url, tmp_path, "--customers", "3", "--rate", "0", "--concurrency", "1", timeout=60)


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMOLOGA_", "LOCUST_"))}
    return env


def cnpjs(customers: int, seed: int = 7, first: int = 0) -> list[str]:
    source = CustomerSource([parse_cep_range(RANGE)], seed)
    return sorted(source.customer(i).cnpj for i in range(first, first + customers))


def _free_port() -> int:
    """A loopback port nothing listens on right now (for a Locust master's --master-bind-port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_every_customer_answered_pen_once_and_stored(tmp_path: Path) -> None:
    with reference(tmp_path) as server:
        code, result, output = burst(server.url, tmp_path, "--customers", "200", "--rate", "150")
    assert code == 0, output
    assert result["enviados"] == 200 and result["pen"] == 200 and result["falhas"] == {}, result
    assert result["aprovado"] is True
    assert all_cnpjs(tmp_path / "ref.db") == cnpjs(200)
    assert "PEN (novos): 200" in output and "APROVADO" in output
    assert (tmp_path / "carga" / "carga.html").is_file()  # Locust's HTML report, by default next to the tally


def test_a_burst_without_seed_sends_fresh_customers_so_a_rerun_passes(tmp_path: Path) -> None:
    """The normal loop (run, fix, run again) against one ERP: each default burst sends customers never sent.

    The ERP here forgets IdMensagens (as one whose idempotency window has passed): repeating a burst exactly gets
    APV, not the first answer (an ERP that remembers answers PEN again to those retries, B1)."""
    with reference(tmp_path, "sem-idempotencia") as server:
        first = burst(server.url, tmp_path, "--customers", "80", "--rate", "0", seed=None, report_name="a")
        second = burst(server.url, tmp_path, "--customers", "80", "--rate", "0", seed=None, report_name="b")
        stored = all_cnpjs(tmp_path / "ref.db")
        plans = [result["plano"] for _, result, _ in (first, second)]
        for code, result, output in (first, second):
            assert code == 0, output
            assert (result["enviados"], result["pen"], result["falhas"]) == (80, 80, {}), result
            assert result["plano"]["clientes_sorteados"] is True
            assert f"--first-index {result['plano']['primeiro_indice']}" in output  # printed, so it can be repeated
        assert plans[0]["primeiro_indice"] != plans[1]["primeiro_indice"]
        expected = [cnpjs(80, p["semente"], p["primeiro_indice"]) for p in plans]
        assert stored == sorted(expected[0] + expected[1]) and len(set(stored)) == 160  # two disjoint sets

        # --seed/--first-index repeat the first burst exactly: the ERP already has them, so they answer APV
        again = ("--seed", str(plans[0]["semente"]), "--first-index", str(plans[0]["primeiro_indice"]))
        code, result, output = burst(server.url, tmp_path, "--customers", "80", "--rate", "0", *again, seed=None)
        assert code == 1, output
        assert result["falhas"] == {"status divergente": 80} and "--replay" in output
        # ... which is right when the replay is deliberate
        code, result, output = burst(
            server.url, tmp_path, "--customers", "80", "--rate", "0", *again, "--replay", seed=None
        )
        assert code == 0, output
        assert (result["enviados"], result["pen"], result["apv_rpv"]) == (80, 0, 80), result
        assert result["plano"]["repeticao"] is True and result["plano"]["clientes_sorteados"] is False
        assert all_cnpjs(tmp_path / "ref.db") == stored  # nothing new reached the ERP


def test_query_string_secrets_stay_out_of_reports(tmp_path: Path) -> None:
    with reference(tmp_path) as server:
        url = server.url + "?chave=s3gr3d0-do-erp"
        code, result, output = burst(url, tmp_path, "--customers", "20", "--rate", "0")
    assert code == 0, output
    html = (tmp_path / "carga" / "carga.html").read_text(encoding="utf-8")
    texts = [html, output, json.dumps(result), (tmp_path / "carga" / "resultado.txt").read_text(encoding="utf-8")]
    assert all("s3gr3d0-do-erp" not in text for text in texts)
    assert "chave=***" in html and result["alvo"].endswith("chave=***")


def test_two_processes_send_each_customer_exactly_once_then_resends(tmp_path: Path) -> None:
    with reference(tmp_path) as server:
        code, result, output = burst(
            server.url, tmp_path, "--customers", "300", "--resend-share", "0.2", "--rate", "0",
            "--concurrency", "8", "--chunk", "20", "--processes", "2", seed=None,
        )  # fmt: skip
    assert code == 0, output
    assert (result["enviados"], result["pen"], result["apv_rpv"]) == (360, 300, 60), result
    # fresh customers (no --seed): the master's draw reached both workers, so every CNPJ is of the printed plan
    plan = result["plano"]
    assert plan["clientes_sorteados"] and plan["primeiro_indice"] > 0
    expected = cnpjs(300, plan["semente"], plan["primeiro_indice"])
    assert all_cnpjs(tmp_path / "ref.db") == expected  # no customer missing, none sent as new twice


def test_apv_for_new_customers_fails_the_burst_as_status_divergente(tmp_path: Path) -> None:
    with reference(tmp_path, "apv-para-novo") as server:
        code, result, output = burst(server.url, tmp_path, "--customers", "60", "--rate", "0", "--concurrency", "4")
    assert code == 1, output
    assert result["falhas"] == {"status divergente": 60} and result["aprovado"] is False
    assert "status divergente: 60" in output and "REPROVADO" in output


def test_some_http_503_fail_the_burst_as_erro_retornado_unless_accepted(tmp_path: Path) -> None:
    with reference(tmp_path, "http503-as-vezes") as server:
        code, result, output = burst(server.url, tmp_path, "--customers", "150", "--rate", "0", "--concurrency", "4")
        failed = result["falhas"].get("erro retornado", 0)
        assert code == 1, output
        assert 0 < failed < 60 and result["enviados"] == 150 and set(result["falhas"]) == {"erro retornado"}
        # the same burst with a tolerance above the share of 503s passes
        code, result, output = burst(
            server.url, tmp_path, "--customers", "150", "--seed", "8", "--rate", "0", "--accepted-failure-ratio", "0.5"
        )
    assert code == 0, output


def test_an_erp_that_collapses_ends_the_burst_early_with_exit_1_and_the_reason(tmp_path: Path) -> None:
    """Latency growing with load: without the watch these 3,000 customers would take over an hour."""
    with reference(tmp_path, "colapsa") as server:
        code, result, output = burst(
            server.url, tmp_path, "--customers", "3000", "--rate", "0", "--concurrency", "10",
            "--p95-budget-ms", "100", "--collapse-window", "3", timeout=60,
        )  # fmt: skip
    assert code == 1, output
    assert "parando a rajada: ERP em colapso: p95 recente" in output and "REPROVADO" in output
    assert result["interrupcao"].startswith("ERP em colapso: p95 recente") and 0 < result["enviados"] < 3000
    assert any(reason.startswith("rajada interrompida: ERP em colapso") for reason in result["motivos"])


def test_an_erp_failing_most_answers_ends_the_burst_early(tmp_path: Path) -> None:
    with reference(tmp_path, "http500") as server:
        code, result, output = burst(
            server.url, tmp_path, "--customers", "3000", "--rate", "200", "--collapse-window", "2", timeout=60
        )
    assert code == 1, output
    assert result["interrupcao"].startswith("ERP em colapso:") and "falhas em" in result["interrupcao"]
    assert 0 < result["enviados"] < 3000 and set(result["falhas"]) == {"erro retornado"}
    # the same ERP with the watch off runs to the end of the plan
    with reference(tmp_path, "http500") as server:
        code, result, output = burst(
            server.url, tmp_path, "--customers", "300", "--rate", "0", "--collapse-window", "1",
            "--collapse-failure-ratio", "0", timeout=60,
        )  # fmt: skip
    assert code == 1 and result["interrupcao"] is None and result["enviados"] == 300, output


def test_unreachable_target_is_falha_de_transporte_for_every_customer(tmp_path: Path) -> None:
    closed = _free_port()  # nothing listens once the probing socket is closed
    code, result, output = burst(f"http://127.0.0.1:{closed}/clientes", tmp_path, "--customers", "20", "--rate", "0")
    assert code == 1, output
    assert result["falhas"] == {"falha de transporte": 20} and result["enviados"] == 20


def test_bad_option_is_one_portuguese_line_and_exit_2(tmp_path: Path) -> None:
    code, _, output = burst("http://127.0.0.1:9/clientes", tmp_path, "--customers", "0")
    assert code == 2 and "--customers deve ser maior que zero" in output and "Traceback" not in output
    code, _, output = burst("http://127.0.0.1:9/clientes", tmp_path, "--cep-range", "abc")
    assert code == 2 and "CEP" in output and "Traceback" not in output
    code, _, output = burst("http://127.0.0.1:9/clientes", tmp_path, "--contract", "v7")
    assert code == 2 and "pacote de contrato não encontrado" in output and "Traceback" not in output
    # a host without scheme used to give 100% gaierror: now one line before anything is sent
    code, _, output = burst("erp.exemplo:8080/clientes?chave=s3gr3d0", tmp_path, "--customers", "5")
    lines = [line for line in output.splitlines() if line.startswith("homologa carga: erro:")]
    assert code == 2 and len(lines) == 1 and "http:// ou https://" in lines[0], output
    assert "s3gr3d0" not in output and "Traceback" not in output


def test_step_shape_reports_the_last_good_rate(tmp_path: Path) -> None:
    with reference(tmp_path) as server:
        code, result, output = burst(
            server.url, tmp_path, "--customers", "5000", "--shape", "degraus", "--rate", "60", "--steps", "3",
            "--step-seconds", "1.5", "--p95-budget-ms", "5000",
        )  # fmt: skip
    assert code == 0, output
    assert "degraus: última taxa boa" in output and result["degraus"]["ultima_taxa_boa"] > 0
    assert 0 < result["enviados"] < 5000 and result["falhas"] == {}


def _rebalancing_master(url: str, port: str, report: Path, *extra: str) -> subprocess.Popen[str]:
    """A headless master on ``port`` with --enable-rebalancing, waiting for one worker (its output in a pipe)."""
    return subprocess.Popen(
        [LOCUST, "-f", "loadtests/locustfile.py", "--master", "--master-bind-host", "127.0.0.1",
         "--master-bind-port", port, "--headless", "--expect-workers", "1", "--enable-rebalancing", "--host", url,
         "--cep-range", RANGE, "--seed", "7", "--ramp", "0", "--report-dir", str(report), "--only-summary", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
    )  # fmt: skip


def _worker_argv(port: str) -> list[str]:
    return [LOCUST, "-f", "loadtests/locustfile.py", "--worker", "--master-host", "127.0.0.1", "--master-port", port]


def _end(*procs: subprocess.Popen[Any]) -> None:
    """Kill whatever of ``procs`` is still running, and reap them all."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_a_worker_joining_late_shares_the_plan_without_overlap(tmp_path: Path) -> None:
    port = str(_free_port())
    report = tmp_path / "carga"
    with reference(tmp_path) as server:
        master = _rebalancing_master(server.url, port, report, "--customers", "2400", "--rate", "150", "--chunk", "50")
        worker = _worker_argv(port)
        first = subprocess.Popen(worker, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
        # the second worker starts once the burst is under way (customers in the ERP's database), not after a fixed
        # sleep: on a loaded machine the first worker may take seconds to start. At 150/s the burst lasts 16 s, so
        # the late one (a few seconds to start and be given users) still arrives well before it ends.
        _wait_for_customers(tmp_path / "ref.db", 150, master)
        late = subprocess.Popen(
            worker, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(), text=True
        )
        try:
            output, _ = _communicate(master, 90)
            late_log = late.communicate(timeout=30)[1]
        finally:
            _end(master, first, late)
    result = json.loads((report / "resultado.json").read_text(encoding="utf-8"))
    assert master.returncode == 0, output
    assert "2 workers connected" in output
    assert (result["enviados"], result["pen"]) == (2400, 2400)
    assert all_cnpjs(tmp_path / "ref.db") == cnpjs(2400)
    late_count = re.search(r"este trabalhador respondeu (\d+) clientes", late_log)
    assert late_count and 0 < int(late_count.group(1)) < 2400, late_log[-2000:]


def test_users_a_rebalancing_kills_mid_request_give_their_customers_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Answers 8 s late and --stop-timeout 0 (Locust's own default: no grace): the second worker joins while the first
    one's 4 users wait for their first answers, and Locust takes 2 of them off it by killing them mid-request. Their
    customers go again, with the same IdMensagem, and the burst ends with every customer answered once in the ERP
    (before the fix, each killed user's index was lost and the master waited for ever). Few long requests, not many
    short ones: a worker stalled by a busy machine across an answer's arrival could take the kill between two
    requests instead, and the test would prove nothing."""
    import logging

    caplog.set_level(logging.INFO, logger="homologa.server.acesso")
    port = str(_free_port())
    report = tmp_path / "carga"
    config = ServerConfig(db_path=tmp_path / "ref.db", port=0, faults=("lento",), fault_delay=8.0)
    with ReferenceServer(config) as server:
        master = _rebalancing_master(
            server.url, port, report, "--customers", "8", "--rate", "0", "--concurrency", "4", "--stop-timeout", "0",
            "--p95-budget-ms", "20000", "--chunk", "2",
        )  # fmt: skip
        worker = _worker_argv(port)
        first = subprocess.Popen(worker, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
        # the late worker starts as soon as the first 4 customers are in flight (stored, their answers 8 s away)
        _wait_for_customers(tmp_path / "ref.db", 4, master)
        late = subprocess.Popen(worker, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
        try:
            output, _ = _communicate(master, 90)
        finally:
            _end(master, first, late)
    result = json.loads((report / "resultado.json").read_text(encoding="utf-8"))
    assert master.returncode == 0, output
    assert "2 workers connected" in output, output
    # a customer sent again with another IdMensagem would be APV (already stored): status divergente, not PEN
    assert (result["enviados"], result["pen"], result["falhas"]) == (8, 8, {}), result
    assert all_cnpjs(tmp_path / "ref.db") == cnpjs(8)  # every planned customer, none stored twice
    arrivals = [json.loads(r.getMessage()).get("cnpj") for r in caplog.records if r.name == "homologa.server.acesso"]
    again = sorted({c for c in arrivals if c and arrivals.count(c) > 1})
    assert again, f"nenhum usuário foi parado no meio de um pedido (o teste não provou nada): {arrivals}\n{output}"


def test_a_worker_rebalancing_leaves_with_no_user_gives_its_slices_back(tmp_path: Path) -> None:
    """One user, three workers, two joining late with --enable-rebalancing: Locust may move the only user to one of
    them, leaving the first with indices queued and nobody to send them; the run waited for them for ever. The first
    worker gives its open slices back and the run ends with exactly the planned customers. Locust picks the worker by
    a random id, so the case happens in about two runs of three: up to three attempts, each checked whole."""
    port = str(_free_port())
    worker = _worker_argv(port)
    for attempt in range(3):
        run = tmp_path / f"tentativa{attempt}"
        run.mkdir()
        with reference(run) as server:
            master = _rebalancing_master(
                server.url, port, run / "carga", "--customers", "400", "--rate", "40", "--concurrency", "1",
                "--chunk", "20",
            )  # fmt: skip
            first = subprocess.Popen(
                worker, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(), text=True
            )
            late: list[subprocess.Popen[bytes]] = []
            try:
                _wait_for_customers(run / "ref.db", 40, master)
                late = [
                    subprocess.Popen(worker, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
                    for _ in range(2)
                ]
                output, _ = _communicate(master, 90)
                first_log = first.communicate(timeout=30)[1]
            finally:
                _end(master, first, *late)
        assert master.returncode == 0, output[-3000:]
        result = json.loads((run / "carga" / "resultado.json").read_text(encoding="utf-8"))
        assert (result["enviados"], result["pen"], result["falhas"]) == (400, 400, {}), result
        assert all_cnpjs(run / "ref.db") == cnpjs(400)
        if "ficou sem usuários e devolveu" in first_log:
            assert re.search(r"trabalhador \S+ ficou sem usuários; \d+ fatias", output), output[-3000:]
            return
    pytest.skip("em 3 tentativas o Locust deixou o único usuário no primeiro trabalhador: o caso não ocorreu")


def test_workers_that_quit_one_after_another_leave_the_plan_counted_once(tmp_path: Path) -> None:
    """Red team (devolvidas), its schedule: one user, a worker, three more joining, then three of them stopped by
    SIGTERM 4, 7 and 10 s later. Two bugs showed: a worker quitting mid-run said goodbye with the tally of its
    unfinished slice while that slice went whole to the others (counted twice: 603 and 604 sent of 600 planned, 2 runs
    of 2), and after the last quit Locust could leave every live worker without a user (the run waited for ever;
    the master now hands the users out again). The run ends with the plan exactly, in the tally and in the ERP."""
    import signal

    port = str(_free_port())
    report = tmp_path / "carga"
    with reference(tmp_path) as server:
        master = _rebalancing_master(
            server.url, port, report, "--customers", "400", "--resend-share", "0.5", "--rate", "40", "--concurrency",
            "1", "--chunk", "20",
        )  # fmt: skip
        workers: list[subprocess.Popen[bytes]] = []
        try:
            workers.append(subprocess.Popen(_worker_argv(port), cwd=ROOT, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, env=_env()))  # fmt: skip
            _wait_for_customers(tmp_path / "ref.db", 40, master)
            workers += [subprocess.Popen(_worker_argv(port), cwd=ROOT, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, env=_env()) for _ in range(3)]  # fmt: skip
            for quitting, pause in ((1, 4), (2, 3), (3, 3)):
                time.sleep(pause)
                workers[quitting].send_signal(signal.SIGTERM)
            output, _ = _communicate(master, 90)
        finally:
            _end(master, *workers)
    assert master.returncode == 0, output[-3000:]
    result = json.loads((report / "resultado.json").read_text(encoding="utf-8"))
    assert (result["enviados"], result["pen"], result["falhas"]) == (600, 400, {}), result
    assert all_cnpjs(tmp_path / "ref.db") == cnpjs(400)


def test_trickling_target_is_a_transport_failure_within_the_deadline(tmp_path: Path) -> None:
    """Headers one byte every 0.2 s: each request ends at --timeout (whole exchange) and the burst ends."""
    for address in serve(trickle_headers):
        code, result, output = burst(
            f"http://{address}/clientes", tmp_path, "--customers", "4", "--rate", "0", "--timeout", "1", timeout=60
        )
    assert code != 0, output
    assert result["enviados"] == 4, result
    assert result["falhas"] == {"falha de transporte": 4}, result  # without the deadline: ~200 s each, killed at 60
    assert "falha de transporte: tempo esgotado" in output, output  # not the HTTP client's "RetriesExceeded"


def test_the_deadline_gives_every_request_the_whole_timeout_however_many_came_before(tmp_path: Path) -> None:
    """Answers 0.35 s late, --timeout 1, one user: 7 requests spend 2.45 s waiting, none times out (each user re-arms
    one timer per request; one that kept only what was left of its time would fail from the 3rd on)."""
    for address in serve(answer_pen_after(0.35)):
        code, result, output = burst(
            f"http://{address}/clientes", tmp_path, "--customers", "7", "--rate", "0", "--concurrency", "1",
            "--timeout", "1", timeout=60,
        )  # fmt: skip
    assert code == 0, output
    assert result["enviados"] == 7 and result["falhas"] == {}, result


def test_no_cookie_comes_back_and_each_message_carries_its_send_time(tmp_path: Path) -> None:
    """Every answer sets a sticky-session cookie and comes 0.1 s late; one user sends 25 customers on one connection.
    The platform keeps no cookies: none is sent back (Locust's users would otherwise stick to one back end). Bodies
    are rendered ahead in batches, but DataHoraEnvio is the send time: each within 0.5 s of its arrival (a batch's
    render time would be up to 2.4 s old by its last customer)."""
    from datetime import datetime

    seen: list[tuple[float, bytes]] = []
    for address in serve(answer_pen_setting_cookie(0.1, seen)):
        code, result, output = burst(
            f"http://{address}/clientes", tmp_path, "--customers", "25", "--rate", "0", "--concurrency", "1",
            timeout=60,
        )  # fmt: skip
    assert code == 0, output
    assert result["enviados"] == 25 and result["falhas"] == {}, result
    assert len(seen) == 25
    assert not [r for _, r in seen if re.search(rb"\r\ncookie:", r, re.IGNORECASE)], seen[-1][1][:400]
    for arrived, request in seen:
        stamp = re.search(rb"<DataHoraEnvio>([^<]*)</DataHoraEnvio>", request)
        assert stamp is not None, request
        sent = datetime.fromisoformat(stamp.group(1).decode()).timestamp()
        assert -0.05 <= arrived - sent < 0.5, (stamp.group(1), arrived)
    assert b"\x00" not in b"".join(r for _, r in seen)


def test_a_redirect_is_the_answer_and_nothing_follows_it_to_another_host(tmp_path: Path) -> None:
    """Red team (late round) F3: Locust follows up to 30 redirects, so an ERP answering 307 with a Location on another
    host received every customer's data there, with headers such as an X-Api-Key. The burst judges the 307 as the
    suite does (erro retornado) and sends nothing anywhere else."""
    seen: list[tuple[float, bytes]] = []
    for elsewhere in serve(record_only(seen)):
        for address in serve(redirect_to(f"http://{elsewhere}/roubo")):
            code, result, output = three_customers(address, tmp_path)
    assert code == 1, output
    assert result["falhas"] == {"erro retornado": 3}, result
    assert seen == []


def test_a_body_that_is_not_the_gzip_it_says_is_a_transport_failure(tmp_path: Path) -> None:
    """Red team (late round) F1: reading such a body raised inside the check and came out as "the harness could not
    verify" (a harness bug) with a traceback; the suite says falha de transporte, and so does the burst now."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
    for address in serve(answer_pen_with_head(head)):
        code, result, output = three_customers(address, tmp_path)
    assert code == 1, output
    assert result["falhas"] == {"falha de transporte": 3}, result
    assert "Traceback" not in output


def test_a_gzip_bomb_is_refused_after_one_mebibyte_not_inflated_whole(tmp_path: Path) -> None:
    """Hostile answer: 1 MiB of gzip that inflates to 1 GiB. Locust's client inflated every answer whole before the
    check refused it as larger than 1 MiB (over 1 GiB of memory per answer, per user); the burst inflates at most
    1 MiB + 1 byte of it and judges that."""
    bomb = gzip_of_zeros(1 << 30)
    for address in serve(answer_huge(bomb, b"gzip")):
        code, result, output = burst(
            f"http://{address}/clientes", tmp_path, "--customers", "3", "--rate", "0", "--concurrency", "1",
            timeout=60, peak_rss=True,
        )  # fmt: skip
    assert code == 1, output
    assert result["falhas"] == {"resposta inválida": 3}, result
    assert "resposta maior que 1 MiB" in output, output[-2000:]
    peak = re.search(r"pico-rss-kib (\d+)", output)
    assert peak is not None and int(peak.group(1)) < 600 * 1024, output[-500:]  # this burst's process alone


@pytest.mark.parametrize(
    ("encoding", "cut", "failures"),
    [("gzip", 0, {}), ("deflate", 0, {}), ("br", 0, {}), ("gzip", 8, {"falha de transporte": 3}),
     ("deflate", 4, {"falha de transporte": 3}), ("br", 3, {"falha de transporte": 3})],
    ids=["gzip", "deflate", "br", "gzip-sem-crc", "deflate-sem-adler", "br-cortado"],
)  # fmt: skip
def test_a_compressed_answer_counts_only_when_its_stream_ends(
    tmp_path: Path, encoding: str, cut: int, failures: dict[str, int]
) -> None:
    """Red team (HTTP path) F1, F4: inflating with a size cap no longer raised on a stream cut short, so a gzip without
    its CRC trailer passed, judged on what had arrived; it is a transport failure, as before and as in the suite. And
    every encoding the burst asks for (Accept-Encoding: gzip, deflate, br) is read when whole (br needs Brotli 1.2)."""
    for address in serve(answer_pen_encoded(encoding, cut)):
        code, result, output = three_customers(address, tmp_path)
    assert result["falhas"] == failures, output[-2000:]
    assert code == (1 if failures else 0), output


def test_a_header_that_cannot_go_on_the_wire_stops_the_burst_without_showing_its_value(tmp_path: Path) -> None:
    """Red team (HTTP path): a header value with a line break failed every customer's request, the value (a secret)
    in a traceback on stderr. It is refused at start-up, in pt-BR, with the value left out."""
    env = {**_env(), "HOMOLOGA_CARGA_CABECALHOS": '{"X-Api-Key": "abc\\r\\nSEGREDO-123"}'}
    done = subprocess.run(
        [LOCUST, "-f", "loadtests/locustfile.py", "--headless", "--host", "http://127.0.0.1:9/clientes",
         "--cep-range", RANGE, "--customers", "3", "--report-dir", str(tmp_path / "carga"), "--only-summary"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "o valor do cabeçalho X-Api-Key tem quebra de linha" in output, output[-2000:]
    assert "SEGREDO" not in output and "Traceback" not in output, output[-2000:]


def test_credentials_in_the_url_win_over_another_authorization(tmp_path: Path) -> None:
    """As Locust's client did: ``http://user:password@host`` sends Basic, whatever Authorization the headers had."""
    seen: list[tuple[float, bytes]] = []
    env = {**_env(), "HOMOLOGA_CARGA_CABECALHOS": '{"Authorization": "Bearer outro"}'}
    for address in serve(answer_pen_setting_cookie(0, seen)):
        done = subprocess.run(
            [LOCUST, "-f", "loadtests/locustfile.py", "--headless", "--host", f"http://u:p%40ss@{address}/clientes",
             "--cep-range", RANGE, "--customers", "2", "--rate", "0", "--concurrency", "1", "--ramp", "0",
             "--report-dir", str(tmp_path / "carga"), "--only-summary"],
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False, env=env,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    heads = [request.split(b"\r\n\r\n")[0].lower() for _, request in seen]
    assert len(heads) == 2 and all(b"\r\nauthorization: basic dtpwqhnz" in h for h in heads), heads
    assert not [h for h in heads if b"bearer" in h], heads


def test_an_answer_past_the_limit_is_read_no_further_and_its_connection_dropped(tmp_path: Path) -> None:
    """An answer of 8 MiB: read up to the limit, judged too large, its connection closed (the rest unread would
    otherwise be taken for the next answer on a kept-alive connection); the next customers still get theirs."""
    for address in serve(answer_huge(b"<a>" + b"x" * (8 << 20) + b"</a>")):
        code, result, output = three_customers(address, tmp_path)
    assert code == 1, output
    assert (result["enviados"], result["falhas"]) == (3, {"resposta inválida": 3}), result
    assert "resposta maior que 1 MiB" in output, output[-2000:]


def test_a_body_still_trickling_at_the_deadline_is_a_transport_failure(tmp_path: Path) -> None:
    """Red team F4: the reference ERP's goteja fault (a valid body, one byte every 0.5 s) came out of the burst as
    "resposta inválida: XML malformado": Locust swallows the deadline while it reads the body, and the part that had
    arrived was judged. The suite says falha de transporte; so does the burst now."""
    with reference(tmp_path, "goteja") as server:
        code, result, output = burst(
            server.url, tmp_path, "--customers", "3", "--rate", "0", "--concurrency", "3", "--timeout", "2",
            timeout=60,
        )  # fmt: skip
    assert code == 1, output
    assert result["falhas"] == {"falha de transporte": 3}, result
    assert "XML malformado" not in output


def test_a_content_type_sent_twice_is_judged_and_the_burst_ends(tmp_path: Path) -> None:
    """Red team F2: with the header twice, geventhttpclient gives a list; the check raised on every answer, no
    customer was recorded and the burst never ended. The values are joined as the suite's httpx joins them, and the
    answer is judged the way the suite judges it: not one of the contract's media types."""
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Type: application/xml\r\n"
        b"Content-Length: %d\r\n\r\n"
    )
    for address in serve(answer_pen_with_head(head)):
        code, result, output = burst(
            f"http://{address}/clientes", tmp_path, "--customers", "20", "--rate", "0", "--concurrency", "2",
            timeout=60,
        )  # fmt: skip
    assert code == 1, output
    assert result["enviados"] == 20 and result["falhas"] == {"resposta inválida": 20}, result
    assert "Content-Type application/xml, application/xml" in output
    assert "Traceback" not in output


PACKS = {"v1-soap": "v1-soap", "renomeado": str(ROOT / "tests" / "packs" / "renomeado")}


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_the_burst_runs_on_the_chosen_pack_and_records_it(tmp_path: Path, pack: str) -> None:
    from homologa.contract import load_pack

    contract = PACKS[pack]
    config = ServerConfig(db_path=tmp_path / "ref.db", port=0, contract=contract)
    with ReferenceServer(config) as server:
        code, result, output = burst(
            server.url, tmp_path, "--customers", "120", "--resend-share", "0.25", "--rate", "0",
            "--concurrency", "4", "--contract", contract,
        )  # fmt: skip
    assert code == 0, output
    assert (result["enviados"], result["pen"], result["apv_rpv"], result["falhas"]) == (150, 120, 30, {}), result
    expected = load_pack(contract)
    assert result["contrato"] == {"versao": expected.version, "nome": expected.name, "sha256": expected.sha256}
    assert all_cnpjs(tmp_path / "ref.db") == cnpjs(120)


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_a_status_fault_fails_the_burst_on_each_pack(tmp_path: Path, pack: str) -> None:
    contract = PACKS[pack]
    config = ServerConfig(db_path=tmp_path / "ref.db", port=0, contract=contract, faults=("apv-para-novo",))
    with ReferenceServer(config) as server:
        code, result, output = burst(
            server.url, tmp_path, "--customers", "40", "--rate", "0", "--concurrency", "4", "--contract", contract
        )
    assert code == 1, output
    assert result["falhas"] == {"status divergente": 40}, result


def test_a_burst_in_another_pack_than_the_target_fails_every_answer(tmp_path: Path) -> None:
    config = ServerConfig(db_path=tmp_path / "ref.db", port=0, contract="v1-soap")
    with ReferenceServer(config) as server:
        code, result, output = burst(server.url, tmp_path, "--customers", "20", "--rate", "0", "--concurrency", "2")
    assert code == 1, output
    assert result["aprovado"] is False and result["falhas"], result


def _communicate(proc: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    """``proc.communicate``; on timeout, kill it and fail with what it printed (a hang must say where it was)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=10)
        raise AssertionError(f"sem saída após {timeout:g} s; o processo imprimiu:\n{(out or '')[-4000:]}") from None
    return out, err or ""


def _wait_for_customers(db: Path, at_least: int, proc: subprocess.Popen[Any], within: float = 60) -> None:
    """Evidence the burst is under way: the reference distributor stored ``at_least`` customers."""
    import time

    from homologa.server.store import count_customers

    deadline = time.monotonic() + within
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists() and count_customers(db) >= at_least:
            return
        time.sleep(0.1)
    raise AssertionError(f"a rajada não chegou a {at_least} clientes no banco (saída {proc.poll()})")


def test_killing_one_of_two_worker_processes_mid_burst_still_sends_every_customer_once(tmp_path: Path) -> None:
    """kill -9 of a worker with slices in flight: the master gives them to the other worker, same IdMensagem."""
    import os
    import signal

    import psutil

    report = tmp_path / "carga"
    with reference(tmp_path) as server:
        master = subprocess.Popen(
            [LOCUST, "-f", "loadtests/locustfile.py", "--headless", "--processes", "2", "--host", server.url,
             "--cep-range", RANGE, "--seed", "7", "--customers", "3000", "--rate", "300", "--ramp", "0",
             "--chunk", "50", "--report-dir", str(report), "--only-summary"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
        )  # fmt: skip
        try:
            _wait_for_customers(tmp_path / "ref.db", 600, master)
            workers = psutil.Process(master.pid).children()
            assert len(workers) == 2, workers
            os.kill(workers[0].pid, signal.SIGKILL)
            output, _ = _communicate(master, 120)
        finally:
            if master.poll() is None:
                master.kill()
            master.wait(timeout=10)
        stored = all_cnpjs(tmp_path / "ref.db")
    result = json.loads((report / "resultado.json").read_text(encoding="utf-8"))
    assert master.returncode == 0, output
    assert re.search(r"trabalhador \S+ perdido; \d+ fatias não confirmadas", output), output[-3000:]
    assert (result["enviados"], result["pen"], result["falhas"]) == (3000, 3000, {}), result
    assert stored == cnpjs(3000)  # exactly the planned CNPJs, none twice


def test_workers_forked_by_processes_end_when_their_master_is_killed(tmp_path: Path) -> None:
    """kill -9 of the master of a --processes burst: its workers end too, instead of living on as orphans that
    join the next master on the same port (Linux: PR_SET_PDEATHSIG)."""
    import contextlib
    import time

    import psutil

    with reference(tmp_path) as server:
        master = subprocess.Popen(
            [LOCUST, "-f", "loadtests/locustfile.py", "--headless", "--processes", "2", "--host", server.url,
             "--cep-range", RANGE, "--customers", "3000", "--rate", "50", "--ramp", "0",
             "--report-dir", str(tmp_path / "carga"), "--only-summary"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
        )  # fmt: skip
        workers: list[psutil.Process] = []
        try:
            _wait_for_customers(tmp_path / "ref.db", 50, master)
            workers = psutil.Process(master.pid).children()
            assert len(workers) == 2, workers
            master.kill()
            master.wait(timeout=10)
            deadline = time.monotonic() + 10
            alive = workers
            while alive and time.monotonic() < deadline:
                alive = [w for w in alive if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
                time.sleep(0.1)
        finally:
            if master.poll() is None:
                master.kill()
            for worker in workers:  # orphans are no longer anyone's children here: kill them by what was seen
                with contextlib.suppress(psutil.Error):
                    worker.kill()
    assert alive == [], f"trabalhadores órfãos depois do kill -9 do mestre: {alive}"


def test_processes_with_a_bind_port_the_workers_do_not_know_is_refused_at_once(tmp_path: Path) -> None:
    """Locust's forked workers dial --master-port: with only --master-bind-port they would wait for ever."""
    port = str(_free_port())
    done = subprocess.run(
        [LOCUST, "-f", "loadtests/locustfile.py", "--headless", "--processes", "2", "--master-bind-port", port,
         "--host", "http://127.0.0.1:9/clientes", "--report-dir", str(tmp_path / "carga"), "--only-summary"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False, env=_env(),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"mas ele escuta na --master-bind-port ({port}): dê as duas com o mesmo número" in done.stderr
    assert "Traceback" not in done.stderr


def test_losing_the_only_worker_ends_the_run_with_exit_1_and_the_reason(tmp_path: Path) -> None:
    import os
    import signal

    port = str(_free_port())
    report = tmp_path / "carga"
    with reference(tmp_path) as server:
        master = subprocess.Popen(
            [LOCUST, "-f", "loadtests/locustfile.py", "--master", "--master-bind-host", "127.0.0.1",
             "--master-bind-port", port, "--headless", "--expect-workers", "1", "--host", server.url,
             "--cep-range", RANGE, "--seed", "7", "--customers", "3000", "--rate", "200", "--ramp", "0",
             "--chunk", "50", "--report-dir", str(report), "--only-summary"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
        )  # fmt: skip
        worker = subprocess.Popen(
            [LOCUST, "-f", "loadtests/locustfile.py", "--worker", "--master-host", "127.0.0.1", "--master-port", port],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
        )  # fmt: skip
        try:
            _wait_for_customers(tmp_path / "ref.db", 200, master)
            os.kill(worker.pid, signal.SIGKILL)
            output, _ = _communicate(master, 60)  # before: no exit after 4 minutes
        finally:
            for proc in (master, worker):
                if proc.poll() is None:
                    proc.kill()
                proc.wait(timeout=10)
    result = json.loads((report / "resultado.json").read_text(encoding="utf-8"))
    assert master.returncode == 1, output
    assert "nenhum trabalhador restante" in output and "REPROVADO" in output
    assert result["interrupcao"].startswith("nenhum trabalhador restante") and 0 < result["enviados"] < 3000
    journal = (report / "diario.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(journal) > 1 and result["diario"]["arquivo"].endswith("diario.jsonl")  # resumable with --resume


def test_a_burst_killed_mid_way_is_resumed_and_every_customer_is_sent_once(tmp_path: Path) -> None:
    """kill -9 of the load process; the same command plus --resume sends only what was not confirmed."""
    import os
    import signal

    command = [LOCUST, "-f", "loadtests/locustfile.py", "--headless", "--cep-range", RANGE, "--customers", "3000",
               "--rate", "300", "--ramp", "0", "--chunk", "50", "--report-dir", str(tmp_path / "carga"),
               "--only-summary"]  # fmt: skip
    with reference(tmp_path) as server:
        first = subprocess.Popen(
            [*command, "--host", server.url], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=_env(),
        )  # fmt: skip
        try:
            _wait_for_customers(tmp_path / "ref.db", 900, first)
            os.kill(first.pid, signal.SIGKILL)
        finally:
            if first.poll() is None:
                first.kill()
            first.wait(timeout=10)
        before = len(all_cnpjs(tmp_path / "ref.db"))
        journal = (tmp_path / "carga" / "diario.jsonl").read_text(encoding="utf-8").splitlines()
        assert 0 < before < 3000 and len(journal) > 1
        # resuming another plan is refused before anything is sent
        code, _, output = burst(server.url, tmp_path, "--customers", "2000", "--resume", seed=None)
        assert code == 2 and "o diário é de outra rajada (clientes: diário 3000, agora 2000)" in output, output
        code, result, output = burst(
            server.url, tmp_path, *command[command.index("--customers") :], "--resume", seed=None
        )
        stored = all_cnpjs(tmp_path / "ref.db")
    assert code == 0, output
    assert "retomando a rajada" in output
    assert (result["enviados"], result["pen"], result["falhas"]) == (3000, 3000, {}), result  # the whole burst
    assert result["diario"]["retomada"] is True
    first_index = result["plano"]["primeiro_indice"]  # drawn by the first run (no --seed), kept by the journal
    assert stored == cnpjs(3000, result["plano"]["semente"], first_index)  # every planned CNPJ once


def test_a_worker_of_another_plan_is_refused_in_portuguese_and_sends_nothing(tmp_path: Path) -> None:
    """Its contract pack differs (another file on its machine, same options): no slice changes hands, no crash."""
    import shutil

    port = str(_free_port())
    report = tmp_path / "carga"
    for side in ("mestre", "trabalhador"):
        shutil.copytree(ROOT / "contracts" / "v1", tmp_path / side / "pacote")
    (tmp_path / "trabalhador" / "pacote" / "NOTA.txt").write_text("cópia alterada nesta máquina\n", encoding="utf-8")
    locustfile = str(ROOT / "loadtests" / "locustfile.py")
    with reference(tmp_path) as server:
        master = subprocess.Popen(
            [LOCUST, "-f", locustfile, "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", port,
             "--headless", "--expect-workers", "1", "--host", server.url, "--cep-range", RANGE, "--seed", "7",
             "--customers", "200", "--rate", "100", "--ramp", "0", "--max-seconds", "3", "--contract", "./pacote",
             "--report-dir", str(report), "--only-summary"],
            cwd=tmp_path / "mestre", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
        )  # fmt: skip
        worker = subprocess.Popen(
            [LOCUST, "-f", locustfile, "--worker", "--master-host", "127.0.0.1", "--master-port", port],
            cwd=tmp_path / "trabalhador", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
        )  # fmt: skip
        try:
            output, _ = _communicate(master, 60)
            worker_output, _ = _communicate(worker, 30)
        finally:
            for proc in (master, worker):
                if proc.poll() is None:
                    proc.kill()
                proc.wait(timeout=10)
        stored = all_cnpjs(tmp_path / "ref.db") if (tmp_path / "ref.db").exists() else []
    assert master.returncode == 1, output
    assert re.search(r"recusado: o trabalhador \S+ é de outro plano \(\w+\) que o mestre \(\w+: 200 clientes", output)
    assert "este trabalhador não envia nada desta rajada: o trabalhador" in worker_output, worker_output[-3000:]
    assert "Traceback" not in worker_output and "IndexError" not in worker_output, worker_output[-3000:]
    assert stored == [] and "nem todos os clientes foram enviados: 0 de 200" in output


def test_a_finished_or_failed_burst_cannot_be_resumed_with_looser_limits_nor_written_into_a_file(
    tmp_path: Path,
) -> None:
    """F4: --resume of a failed burst with a bigger p95 budget gave APROVADO without sending anything."""
    with reference(tmp_path) as server:
        code, result, output = burst(
            server.url, tmp_path, "--customers", "100", "--rate", "0", "--p95-budget-ms", "0.01"
        )
        assert code == 1 and not result["aprovado"], output
        code, _, output = burst(server.url, tmp_path, "--customers", "100", "--rate", "0", "--p95-budget-ms",
                                "100000", "--resume")  # fmt: skip
        assert code == 2 and "orçamento p95 (--p95-budget-ms): diário 0.01, agora 100000.0" in output, output
        code, _, output = burst(server.url, tmp_path, "--customers", "100", "--rate", "0", "--p95-budget-ms", "0.01",
                                "--resume")  # fmt: skip
        assert code == 2 and "a rajada já terminou (100 de 100 clientes respondidos): nada a retomar" in output
        (tmp_path / "arquivo").write_text("", encoding="utf-8")
        code, _, output = burst(server.url, tmp_path, "--customers", "10", report_name="arquivo")
    assert code == 2 and "é um arquivo, não uma pasta" in output and "Traceback" not in output, output


def test_a_burst_stopped_early_says_how_to_resume_and_a_new_burst_keeps_its_journal_aside(tmp_path: Path) -> None:
    with reference(tmp_path) as server:
        code, first, output = burst(server.url, tmp_path, "--customers", "2000", "--rate", "400", "--chunk", "50",
                                    "--max-seconds", "1")  # fmt: skip
        assert code == 1 and "o mesmo comando com --resume envia só o que falta" in output, output
        code, _, output = burst(server.url, tmp_path, "--customers", "50", "--seed", "8")
        assert code == 0 and "tinha o diário de uma rajada interrompida" in output, output
        kept = next((tmp_path / "carga").glob("rajada-interrompida-*"))
        assert f"--report-dir {kept} --resume" in output
        code, result, output = burst(server.url, tmp_path, "--customers", "2000", "--rate", "400", "--chunk", "50",
                                     "--resume", report_name=str(kept.relative_to(tmp_path)))  # fmt: skip
    assert code == 0 and "retomando a rajada" in output, output
    assert (result["enviados"], result["pen"]) == (2000, 2000)
    assert result["primeiro_inicio"] == first["primeiro_inicio"] and result["retomadas"] == 1  # its start went along
