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


def test_a_prepared_request_is_the_same_message_stamped_when_sent() -> None:
    """Rendered ahead in a batch, stamped at send: the same bytes as request() would send at that moment."""
    import time

    scenario = Scenario(LoadSettings(customers=100, resend_share=0.2))
    for index, stop in ((0, 40), (1, 40), (39, 40), (100, 120), (119, 120)):
        request = scenario.prepared(index, stop)
        time.sleep(0.002)
        before = format_sent_at()
        body = scenario.stamp(request)
        after = format_sent_at()
        assert before <= stamp_of(body) <= after  # the send time, not the time the batch was rendered
        assert b"\x00" not in body and body == request.body
        fresh = scenario.request(index)
        assert body == fresh.body.replace(stamp_of(fresh.body).encode(), stamp_of(body).encode())
        assert (request.name, request.id_mensagem, request.cnpj) == (fresh.name, fresh.id_mensagem, fresh.cnpj)


def test_a_batch_renders_nothing_beyond_its_slice() -> None:
    """Indices past the slice's end may belong to another worker: never rendered (nor sent) from here."""
    scenario = Scenario(LoadSettings(customers=1000))
    scenario.prepared(990, 995)
    assert all(990 < index < 995 for index in scenario._ahead)
    assert scenario.prepared(994, 995).index == 994
