"""The burst's request for each index: the generator's message rendered by the pack, stamped with the send time."""

from __future__ import annotations

import re

from homologa.generator.source import format_sent_at
from homologa.load.scenario import NEW, REPLAY, REPLAY_ATTEMPT, RESEND, Scenario, SentAt
from homologa.load.settings import LoadSettings
from homologa.model import CadastroCliente

STAMP = re.compile(rb"<DataHoraEnvio>([^<]*)</DataHoraEnvio>")
SENT_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-03:00")


def stamp_of(body: bytes) -> str:
    found = STAMP.search(body)
    assert found is not None, body
    return found.group(1).decode()


def test_sent_at_is_written_like_the_generators_stamp_and_is_now() -> None:
    clock = SentAt()
    for _ in range(200):
        before = format_sent_at()
        stamp = clock()
        after = format_sent_at()
        assert SENT_AT.fullmatch(stamp), stamp
        assert before <= stamp <= after  # same offset and width: text order is time order


def test_a_new_customer_is_the_generators_message_rendered_by_the_pack() -> None:
    scenario = Scenario(LoadSettings(customers=50, first_index=1000))
    source = scenario.source
    for index in (0, 1, 49):
        request = scenario.request(index)
        expected = CadastroCliente(
            source.message_id(1000 + index), stamp_of(request.body), source.customer(1000 + index)
        )
        assert request.body == scenario.shape.render_request(expected)
        assert (request.name, request.resend) == (NEW, False)
        assert (request.id_mensagem, request.cnpj) == (expected.id_mensagem, expected.cliente.cnpj)
        assert source.message(1000 + index).id_mensagem == request.id_mensagem  # what message() would have sent


def test_a_resend_is_the_changed_customer_under_attempt_ones_id() -> None:
    scenario = Scenario(LoadSettings(customers=10, resend_share=0.5))
    source = scenario.source
    for index in (10, 14):
        request = scenario.request(index)
        customer = scenario.customer_of(index)
        expected = CadastroCliente(source.message_id(customer, 1), stamp_of(request.body), source.changed(customer, 1))
        assert request.body == scenario.shape.render_request(expected)
        assert (request.name, request.resend) == (RESEND, True)


def test_a_replayed_customer_is_a_new_message_of_the_same_customer() -> None:
    scenario = Scenario(LoadSettings(customers=5, replay=True))
    source = scenario.source
    request = scenario.request(3)
    expected = CadastroCliente(source.message_id(3, REPLAY_ATTEMPT), stamp_of(request.body), source.customer(3))
    assert request.body == scenario.shape.render_request(expected)
    assert (request.name, request.resend) == (REPLAY, True)
    assert request.id_mensagem != source.message_id(3)
