"""One index of the burst as a request on the wire, and the check of its answer (no HTTP, no Locust).

This is the whole per-customer pipeline but the network: generate the customer (O(1) by index), render the
``CadastroCliente``, and judge the answer. The Locust user calls it; the benchmark runs it alone over 1,000,000
customers to show memory stays flat.
"""

from __future__ import annotations

from dataclasses import dataclass

from homologa.contract import load_pack
from homologa.generator import CustomerSource, parse_cep_range
from homologa.generator.source import format_sent_at
from homologa.load.checks import Outcome, check_answer
from homologa.load.plan import PlanShape
from homologa.load.settings import LoadSettings
from homologa.model import CadastroCliente

NEW = "novo"
RESEND = "reenvio"
REPLAY = "repetido"  # a customer of an earlier burst sent again on purpose (--replay): APV/RPV expected
REPLAY_ATTEMPT = 2  # a new IdMensagem (attempt 0 was the first burst, 1 its re-sends): a new message, not a retry


@dataclass(frozen=True, slots=True)
class Request:
    index: int
    name: str  # statistics group: "novo" or "reenvio"
    body: bytes
    id_mensagem: str
    cnpj: str

    @property
    def resend(self) -> bool:
        """The ERP already has this customer: APV or RPV expected, never PEN."""
        return self.name != NEW


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

    def customer_of(self, index: int) -> int:
        """The generator index of plan index ``index`` (the burst starts at ``--first-index``)."""
        return self._first + self.plan.customer_of(index)

    def request(self, index: int) -> Request:
        customer = self.customer_of(index)
        if self._replay and not self.plan.is_resend(index):
            msg = self.source.message(customer, attempt=REPLAY_ATTEMPT)
            name = REPLAY
        elif self.plan.is_resend(index):
            # the changed customer under attempt 1's id (changed() builds the original once, not message() again)
            msg = CadastroCliente(
                self.source.message_id(customer, attempt=1), format_sent_at(), self.source.changed(customer, 1)
            )
            name = RESEND
        else:
            msg = self.source.message(customer)
            name = NEW
        return Request(index, name, self._render(msg), msg.id_mensagem, msg.cliente.cnpj)

    def check(
        self,
        request: Request,
        http_status: int,
        content_type: str | None,
        body: bytes | None,
        transport_error: str | None = None,
    ) -> Outcome:
        return check_answer(
            http_status=http_status,
            content_type=content_type,
            body=body,
            id_mensagem=request.id_mensagem,
            cnpj=request.cnpj,
            resend=request.resend,
            schema=self.schema,
            validate=request.index % self._validate_every == 0,
            transport_error=transport_error,
            shape=self.shape,
        )
