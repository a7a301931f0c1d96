"""Instructions per request (valgrind's callgrind, not a test): a count that does not depend on what else the machine
runs, for the load profile's pieces and for whole Locust runs, bare vs profile.

Each figure is the difference of two runs (N and 0 repetitions of a step, or two Locust runs stopped after 1,000 and
3,000 requests) divided by the extra repetitions, so start-up cancels out. Whole runs still vary by a few percent
(gevent's loop turns a different number of times); the pieces do not. Needs ``valgrind``; ~10 min with --locust.

Usage: python benchmarks/bench_instructions.py [--locust [--skip-steps]]   (for --locust, start
       benchmarks/echo_server.py PORT first and pass HOMOLOGA_ECHO_PORT=PORT)
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
LOCUST = str(Path(PYTHON).with_name("locust"))

SETUP = """
from gevent import monkey; monkey.patch_all()
import gevent
from homologa.load.scenario import Scenario
from homologa.load.settings import LoadSettings
from homologa.load.tally import Tally
from homologa.load.plan import SlicePool, Slice
from homologa.messages import render_answer
from homologa.model import Retorno
scenario = Scenario(LoadSettings(customers=10_000_000))
N = 10_000_000
source = scenario.source
request = scenario.request(5)
answer = render_answer(Retorno(request.id_mensagem, request.cnpj, "PEN"))
bare = Scenario(LoadSettings(customers=10_000_000))
bare.fast = None  # the full check alone (a checkout without the fast path ignores this)
message = source.message(5)
messages = [source.message(k) for k in range(1000)]  # a third with '&' in the razão social, as in a burst
tally = Tally()
pool = SlicePool(); pool.add(Slice(0, 10_000))
def timeout():
    with gevent.Timeout(10):
        pass
def pool_step():
    pool.done(pool.take()[1])
"""
STEPS = {
    "pedido completo (Scenario.request)": "scenario.request(i)",
    "pedido renderizado em lote e carimbado no envio (o que o usuário faz)": "scenario.stamp(scenario.prepared(i, N))",
    "  gerar o cliente (CustomerSource.customer)": "source.customer(i)",
    "  IdMensagem (message_id)": "source.message_id(i)",
    "  DataHoraEnvio (SentAt)": "scenario._sent_at()",
    "  XML (modelo do pacote, mil mensagens diferentes)": "scenario._render(messages[i % 1000])",
    "verificar a resposta (Scenario.check, XSD incluído)": "scenario.check(request, 200, 'application/xml', answer)",
    "  só a verificação completa (sem o atalho)": "bare.check(request, 200, 'application/xml', answer)",
    "apurar (Tally.record)": "tally.record(None, 'PEN', 1.5, 1.0, 2.0)",
    "fatia: tirar e confirmar um índice (SlicePool)": "pool_step()",
    "gevent.Timeout novo por requisição (o que o perfil deixou de fazer)": "timeout()",
}
STOP_AFTER = """
import os
import gevent
from locust import events
N = int(os.environ["HOMOLOGA_STOP_AFTER"])
seen = {}
@events.init.add_listener
def _init(environment, **_):
    seen["env"] = environment
@events.request.add_listener
def _count(**_):
    env = seen["env"]
    if env.stats.total.num_requests >= N and "quit" not in seen:
        seen["quit"] = gevent.spawn(env.runner.quit)
"""


# the baseline (a plain FastHttpUser posting a fixed body) and the same body sent the profile's way
BASELINES = {"nu": "benchmarks/bare_locustfile.py", "nu enxuto": "benchmarks/lean_locustfile.py"}


def callgrind(cmd: list[str], env: dict[str, str] | None = None) -> int:
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        cwd=ROOT, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})},
    )  # fmt: skip
    found = re.findall(r"Collected : (\d+)", done.stderr)
    if not found:
        raise RuntimeError(done.stderr[-2000:])
    return int(found[-1])


def step(statement: str, n: int) -> int:
    code = f"{SETUP}\nfor i in range({n}):\n    {statement}\n"
    return callgrind([PYTHON, "-c", code])


def locust_run(kind: str, requests: int, port: str, work: Path, users: int = 1) -> tuple[int, int]:
    """(instructions, requests answered) of a Locust run stopped after ``requests``, with ``users`` users (one: each
    request is one turn of gevent's loop, and the count repeats within ~1%; with ten it varied ~10%)."""
    probe = work / "stop_after.py"
    probe.write_text(STOP_AFTER, encoding="utf-8")
    url = f"http://127.0.0.1:{port}/clientes"
    if kind in BASELINES:
        args = ["-f", f"{BASELINES[kind]},{probe}", "-u", str(users), "-r", "100", "-t", "600s"]
    else:
        args = ["-f", f"loadtests/locustfile.py,{probe}", "--customers", "10000000", "--rate", "0",
                "--concurrency", str(users), "--ramp", "0", "--report-dir", str(work / "rep")]  # fmt: skip
    prefix = work / f"{kind.replace(' ', '_')}{requests}"
    cmd = [PYTHON, LOCUST, *args, "--host", url, "--headless", "--only-summary", "--csv", str(prefix)]
    total = callgrind(cmd, {"HOMOLOGA_STOP_AFTER": str(requests)})
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        answered = next(int(row["Request Count"]) for row in csv.DictReader(fh) if row["Name"] == "Aggregated")
    return total, answered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locust", action="store_true", help="também as rodadas inteiras do Locust (nu e perfil)")
    parser.add_argument("--skip-steps", action="store_true", help="só as rodadas do Locust")
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--users", type=int, default=1, help="usuários das rodadas do Locust (1: contagem estável)")
    parser.add_argument("--only", default="", help="só os passos cujo rótulo contém este texto (ex.: verifica)")
    args = parser.parse_args()
    print("| passo | instruções por vez |\n|---|---:|")
    steps = {label: code for label, code in STEPS.items() if args.only in label}
    for label, statement in {} if args.skip_steps else steps.items():
        per = (step(statement, args.n) - step(statement, 0)) / args.n
        print(f"| {label} | {per / 1000:.0f} mil |", flush=True)
    if not args.locust:
        return 0
    port = os.environ["HOMOLOGA_ECHO_PORT"]
    per_request = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in (*BASELINES, "perfil"):
            (a, ra), (b, rb) = (
                locust_run(kind, 1000, port, Path(tmp), args.users),
                locust_run(kind, 3000, port, Path(tmp), args.users),
            )
            per_request[kind] = (b - a) / (rb - ra)
            print(f"| Locust {kind}, por requisição (rodadas de {ra} e {rb}) | {per_request[kind] / 1000:.0f} mil |")
    ratio = per_request["nu"] / per_request["perfil"]
    print(f"| razão nu ÷ perfil (instruções por requisição; meta 85%) | {ratio:.0%} |")
    print(
        f"| razão nu enxuto ÷ perfil (o custo de gerar e verificar) | "
        f"{per_request['nu enxuto'] / per_request['perfil']:.0%} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
