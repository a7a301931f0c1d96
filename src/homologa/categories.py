"""Failure categories, exactly as a distributor reads them.

One list for every layer that judges an answer: the contract suite's failure messages and Allure categories, the
load profile's tally and Locust failure table, and the reference server's fault catalogue.
"""

from __future__ import annotations

STATUS_DIVERGENTE = "status divergente"
ERRO_RETORNADO = "erro retornado"
RESPOSTA_INVALIDA = "resposta inválida"
ECO_DIVERGENTE = "eco divergente"
FALHA_DE_TRANSPORTE = "falha de transporte"
RESPOSTA_INSEGURA = "resposta insegura"
LATENCIA = "latência acima do orçamento"  # best practice B2 only: a property of a run, not of one answer

# The categories one answer can fall into, in the order the checks meet them.
ANSWER_CATEGORIES: tuple[str, ...] = (
    STATUS_DIVERGENTE,
    ERRO_RETORNADO,
    RESPOSTA_INVALIDA,
    ECO_DIVERGENTE,
    FALHA_DE_TRANSPORTE,
    RESPOSTA_INSEGURA,
)

DESCRIPTIONS: dict[str, str] = {
    STATUS_DIVERGENTE: "o Status da resposta não é o que a regra exige (PEN para cliente novo, APV/RPV para reenvio)",
    ERRO_RETORNADO: "o ERP devolveu erro: HTTP fora de 2xx ou um elemento Erro",
    RESPOSTA_INVALIDA: "a resposta não é um RetornoCadastroCliente válido (Content-Type, XML, XSD, tamanho)",
    ECO_DIVERGENTE: "a resposta não ecoa o IdMensagem ou o CNPJ enviados",
    FALHA_DE_TRANSPORTE: "conexão recusada ou derrubada, tempo esgotado, resposta que não termina",
    RESPOSTA_INSEGURA: "a resposta declara DOCTYPE/ENTITY (risco de XXE): recusada sem ser interpretada",
    LATENCIA: "o p95 da latência passou do orçamento do perfil (boa prática B2)",
}
