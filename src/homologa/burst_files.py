"""The files of a go-live burst's folder (``--report-dir``) and the plan its journal records, in one table.

The load profile (:mod:`homologa.load`) writes them; the evidence (:mod:`homologa.report`) reads them and never
imports the profile (it would bring Locust and gevent's monkey-patching): these names are the interface both share.
"""

from __future__ import annotations

RESULT = "resultado.json"  # the burst's verdict and counts, written once at its very end
RESULT_TEXT = "resultado.txt"  # the same, as the terminal printed it
JOURNAL = "diario.jsonl"  # the durable journal of confirmed slices (``--resume`` trusts it)
START = "partida.json"  # the burst's first start and how many times it was resumed (beside the journal)

# The journal's plan entry, key -> pt-BR label. These first keys say WHICH customers a burst sends: a burst whose
# journal differs in any of them is another burst (resume refused, result and journal of different bursts).
IDENTITY_LABELS = {
    "alvo_id": "alvo",
    "faixas_cep": "faixas de CEP",
    "clientes": "clientes",
    "reenvios": "fração de reenvios",
    "semente": "semente",
    "primeiro_indice": "índice inicial",
    "repeticao": "repetição (--replay)",
}
# ...and these, HOW it is sent and judged (recorded at start, so a resume cannot loosen them).
JUDGEMENT_LABELS = {
    "contrato": "pacote de contrato (--contract)",
    "forma": "forma (--shape)",
    "orcamento_p95_ms": "orçamento p95 (--p95-budget-ms)",
    "falhas_aceitas": "fração de falhas aceita (--accepted-failure-ratio)",
    "fracao_validada": "fração das respostas validadas no XSD (--validate-share)",
    "colapso_p95": "colapso por latência (--collapse-p95-factor)",
    "colapso_falhas": "colapso por falhas (--collapse-failure-ratio)",
    "colapso_janela": "janela de colapso (--collapse-window)",
}
PLAN_LABELS = {**IDENTITY_LABELS, **JUDGEMENT_LABELS}
