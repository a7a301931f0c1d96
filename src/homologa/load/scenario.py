"""One index of the burst as a request on the wire, and the check of its answer (no HTTP, no Locust).

This is the whole per-customer pipeline but the network: generate the customer (O(1) by index), render the
``CadastroCliente``, and judge the answer. The Locust user calls it; the benchmark runs it alone over 1,000,000
customers to show memory stays flat.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from homologa.contract import load_pack
from homologa.generator import CustomerSource, parse_cep_range
from homologa.generator.source import BRASILIA
from homologa.load.answer_template import AnswerTemplates, proven_pack
from homologa.load.checks import Outcome, check_answer
from homologa.load.plan import PlanShape
from homologa.load.settings import LoadSettings
from homologa.model import CadastroCliente

NEW = "novo"
RESEND = "reenvio"
REPLAY = "repetido"  # a customer of an earlier burst sent again on purpose (--replay): APV/RPV expected
REPLAY_ATTEMPT = 2  # a new IdMensagem (attempt 0 was the first burst, 1 its re-sends): a new message, not a retry


# what a pre-rendered body carries where DataHoraEnvio goes, until the send stamps it (never on the wire: no
# generated field holds a NUL, and the user splits the body around it)
UNSTAMPED = "\x00DataHoraEnvio\x00"
_UNSTAMPED = UNSTAMPED.encode()
BATCH = 64  # customers rendered ahead in one loop, within the slice being sent


@dataclass(slots=True)  # not frozen: built once per request, and a frozen __init__ cost ~3x as much
class Request:
    index: int
    name: str  # statistics group: "novo" or "reenvio"
    body: bytes
    id_mensagem: str
    cnpj: str
    parts: list[bytes] | None = None  # pre-rendered: the body split around DataHoraEnvio, stamped by stamp()

    @property
    def resend(self) -> bool:
        """The ERP already has this customer: APV or RPV expected, never PEN."""
        return self.name != NEW


class SentAt:
    """``DataHoraEnvio`` for "now", as :func:`~homologa.generator.source.format_sent_at` writes it
    (``2026-12-02T01:23:45.678-03:00``), with everything but the milliseconds formatted once per second: at thousands
    of requests per second the datetime formatting cost more than the tally."""

    __slots__ = ("_head", "_second", "_tail")

    def __init__(self) -> None:
        self._second = -1
        self._head = self._tail = ""

    def __call__(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            whole = datetime.fromtimestamp(second, BRASILIA).isoformat()  # 2026-12-02T01:23:45-03:00
            self._head, self._tail, self._second = whole[:19], whole[19:], second
        return f"{self._head}.{int((now - second) * 1000):03d}{self._tail}"

    def encoded(self) -> bytes:
        """:meth:`__call__` as the bytes that go on the wire."""
        return self().encode()


class Scenario:
    """The burst's messages and answer checks for one settings (one per Locust process)."""

    def __init__(self, settings: LoadSettings) -> None:
        ranges = [parse_cep_range(text) for text in settings.cep_ranges]
        self.settings = settings
        self.plan = PlanShape(settings.customers, settings.resend_share)
        self.source = CustomerSource(ranges, settings.seed)
        self.pack = load_pack(settings.contract)
        self.schema = self.pack.answer
        self.shape = self.pack.shape
        self._render = self.shape.render_request
        self.request_headers = self.shape.request_headers()  # Content-Type (and SOAPAction) of the pack
        self._validate_every = settings.validate_every
        self._first = settings.first_index
        self._replay = settings.replay
        self._sent_at = SentAt()
        # the exact fast path for passing answers (answer_template), only where its proof holds
        schema, shape = self.schema, self.shape

        def validated(content_type: str, body: bytes, id_mensagem: str, cnpj: str, resend: bool) -> Outcome:
            """The full check, with validation, of an HTTP-200 answer (the fast path's proofs)."""
            return check_answer(http_status=200, content_type=content_type, body=body, id_mensagem=id_mensagem,
                                cnpj=cnpj, resend=resend, schema=schema, validate=True, shape=shape)  # fmt: skip

        self.fast = AnswerTemplates(shape.status_words, validated) if proven_pack(self.pack) else None
        self._ahead: dict[int, Request] = {}  # pre-rendered, unstamped requests of the slice being sent

    def customer_of(self, index: int) -> int:
        """The generator index of plan index ``index`` (the burst starts at ``--first-index``)."""
        return self._first + self.plan.customer_of(index)

    def request(self, index: int) -> Request:
        """The request of ``index``, stamped now."""
        return self._build(index, self._sent_at())

    def _build(self, index: int, sent_at: str) -> Request:
        plan = self.plan
        customer = self._first + plan.customer_of(index)  # customer_of(index), without a call
        source = self.source
        resend = plan.is_resend(index)
        # what source.message(customer, attempt) builds, with the cheaper clock for DataHoraEnvio
        if self._replay and not resend:
            msg = CadastroCliente(source.message_id(customer, REPLAY_ATTEMPT), sent_at, source.customer(customer))
            name = REPLAY
        elif resend:
            # the changed customer under attempt 1's id (changed() builds the original once, not message() again)
            msg = CadastroCliente(source.message_id(customer, attempt=1), sent_at, source.changed(customer, 1))
            name = RESEND
        else:
            msg = CadastroCliente(source.message_id(customer), sent_at, source.customer(customer))
            name = NEW
        return Request(index, name, self._render(msg), msg.id_mensagem, msg.cliente.cnpj)

    def prepared(self, index: int, stop: int) -> Request:
        """The request of ``index``, its body not yet stamped (:meth:`stamp` at send time).

        A miss renders ``index`` and the next :data:`BATCH` indices below ``stop`` (the end of its slice) in one
        loop: generation run back to back stays in the CPU's caches, interleaved with the HTTP exchanges it cost
        ~1.4x as much. Only bodies are kept ahead (a pure function of the index): which index is sent, and when, is
        still the slice pool's and the journal's business; an index never asked for is simply never sent, and the
        next miss drops what was left."""
        request = self._ahead.pop(index, None)
        if request is None:
            build = self._unstamped
            self._ahead = {i: build(i) for i in range(index + 1, min(index + BATCH, stop))}
            request = build(index)
        return request

    def _unstamped(self, index: int) -> Request:
        request = self._build(index, UNSTAMPED)
        request.parts = request.body.split(_UNSTAMPED)
        return request

    def stamp(self, request: Request) -> bytes:
        """The body of a pre-rendered request with DataHoraEnvio = now (the send time, not the render time)."""
        parts = request.parts
        body = request.body if parts is None else self._sent_at.encoded().join(parts)
        request.body = body
        return body

    def check(
        self,
        request: Request,
        http_status: int,
        content_type: str | None,
        body: bytes | None,
        transport_error: str | None = None,
    ) -> Outcome:
        fast = self.fast
        resend = request.resend
        if fast is not None and http_status == 200 and transport_error is None and body is not None:
            passed = fast.judge(request.id_mensagem, request.cnpj, resend, content_type, body)
            if passed is not None:
                return passed
        validate = request.index % self._validate_every == 0
        outcome = check_answer(
            http_status=http_status,
            content_type=content_type,
            body=body,
            id_mensagem=request.id_mensagem,
            cnpj=request.cnpj,
            resend=resend,
            schema=self.schema,
            validate=validate,
            transport_error=transport_error,
            shape=self.shape,
        )
        if fast is not None and validate and outcome.ok and content_type is not None and body is not None:
            fast.learn(request.id_mensagem, request.cnpj, str(outcome.status), content_type, body)
        return outcome
