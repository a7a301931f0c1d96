"""The contract's rules, one list for every layer: code -> (short name, statement, blocking?).

The suite titles and failure messages, the verdict (which rules block), the resumo and the manifest all read it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    statement: str
    blocking: bool  # platform rule (True) or best practice (False: counts only with --strict)


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("R1", "Cliente novo recebe PEN", "um CNPJ que o distribuidor nunca recebeu recebe PEN", True),
        Rule(
            "R2", "Reenvio recebe APV/RPV", "um CNPJ já recebido (reenvio, com ou sem mudança) recebe APV ou RPV", True
        ),
        Rule(
            "R3",
            "Campos protegidos sem erro",
            "um reenvio que muda campos protegidos pelo distribuidor ainda recebe APV/RPV, sem erro",
            True,
        ),
        Rule("R4", "Eco de IdMensagem e CNPJ", "a resposta ecoa o IdMensagem e o CNPJ enviados", True),
        Rule(
            "R5",
            "Resposta válida",
            "a resposta é HTTP 200, Content-Type XML e válida contra o XSD de RetornoCadastroCliente, sem Erro",
            True,
        ),
        Rule("R6", "Carga do go-live", "todos os clientes das faixas de CEP, na taxa do go-live, sem erro", True),
        Rule("B1", "Idempotência", "o reenvio da mesma mensagem (mesmo IdMensagem) recebe o mesmo Status", False),
        Rule("B2", "Latência", "o p95 da latência fica dentro do orçamento do perfil", False),
    )
}


def rule(code: str) -> Rule:
    try:
        return RULES[code]
    except KeyError:
        raise ValueError(f"regra desconhecida: {code!r} (conhecidas: {', '.join(RULES)})") from None
