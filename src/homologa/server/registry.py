"""One valid message through the store: the first answer again for a known ``IdMensagem`` (idempotency, B1),
otherwise the business decision, its record and its answer stored together (inside the writer's transaction)."""

from __future__ import annotations

from homologa.model import CadastroCliente
from homologa.server.business import Outcome, Stored, decide, identity, identity_field
from homologa.server.config import ServerConfig
from homologa.server.store import Store


def handle(store: Store, msg: CadastroCliente, cfg: ServerConfig) -> Outcome:
    if not cfg.has("sem-idempotencia"):
        previous = store.answer(msg.id_mensagem)
        if previous is not None:
            return previous
    decision = decide(msg, _identify(store, msg, cfg), cfg)
    if decision.record is not None:
        store.put_customer(decision.record)
    store.put_answer(msg.id_mensagem, decision.outcome)
    return decision.outcome


def _identify(store: Store, msg: CadastroCliente, cfg: ServerConfig) -> Stored | None:
    """The stored customer this message is about: by CNPJ, or by another field under an identity fault."""
    field = identity_field(cfg) if cfg.faults else None
    if field is None:
        return store.customer(msg.cliente.cnpj)
    return store.find(field, identity(msg.cliente, field))
