"""The exact fast path for passing answers: same Outcome as the full check on every answer, taken where proven."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from homologa.contract import load_pack
from homologa.generator import CustomerSource, parse_cep_range
from homologa.load import answer_template
from homologa.load.answer_template import ALNUM, NUMERIC, AnswerTemplates, ascii_compatible, cnpj_class
from homologa.load.checks import ECO_DIVERGENTE, STATUS_DIVERGENTE, Outcome, check_answer
from homologa.load.scenario import Request, Scenario
from homologa.load.settings import LoadSettings
from homologa.model import Retorno
from homologa.resources import contracts_dir

PACKS = ("1", "v1-soap")
Render = Callable[[Request, str], bytes]  # (request, status) -> the ERP's body


def scenario_of(contract: str = "1", validate_share: float = 1.0, customers: int = 3000) -> Scenario:
    return Scenario(
        LoadSettings(customers=customers, contract=contract, resend_share=0.3, validate_share=validate_share)
    )


def full(scenario: Scenario, request: Request, http: int, ctype: str | None, body: bytes | None, *,
         error: str | None = None) -> Outcome:  # fmt: skip
    """What check_answer alone says, with the scenario's validation sampling."""
    return check_answer(http_status=http, content_type=ctype, body=body, id_mensagem=request.id_mensagem,
                        cnpj=request.cnpj, resend=request.resend, schema=scenario.schema,
                        validate=request.index % scenario.settings.validate_every == 0, transport_error=error,
                        shape=scenario.shape)  # fmt: skip


def erp(scenario: Scenario, mensagem: str | None = "Cadastro recebido") -> Render:
    shape = scenario.shape

    def render(request: Request, status: str) -> bytes:
        return shape.render_answer(Retorno(request.id_mensagem, request.cnpj, status=status, mensagem=mensagem)).body

    return render


def expected_status(request: Request, rng: random.Random) -> str:
    return rng.choice(("APV", "RPV")) if request.resend else "PEN"


INSERTS = (b"<!-- x -->", b"<![CDATA[x]]>", b" ", b"\n", b"&#65;", b"<?pi x?>", b"<!DOCTYPE x>", b"\x00", b"-")


def mutate(rng: random.Random, scenario: Scenario, request: Request, other: Request, render: Render,
           ) -> tuple[int, str | None, bytes | None, str | None]:  # fmt: skip
    """One answer to ``request``: valid, or broken in one of many ways (http, content type, body, error)."""
    ctype = scenario.shape.answer_content_type
    status = expected_status(request, rng)
    body = render(request, status)
    kind = rng.randrange(16)
    if kind <= 3:
        return 200, ctype, body, None  # valid: the fast path's customers
    if kind == 4:
        return 200, ctype, render(request, rng.choice(("PEN", "APV", "RPV"))), None  # maybe the wrong status
    if kind == 5:
        at = rng.randrange(len(body))
        return 200, ctype, body[:at] + bytes([rng.randrange(32, 127)]) + body[at + 1 :], None
    if kind == 6:
        at = rng.randrange(len(body))
        return 200, ctype, body[:at] + rng.choice(INSERTS) + body[at:], None
    if kind == 7:  # one character of a slot as a character reference (same text once parsed)
        value = rng.choice((request.id_mensagem, request.cnpj, status)).encode()
        i = rng.randrange(len(value))
        spelled = value[:i] + b"&#%d;" % value[i] + value[i + 1 :]
        return 200, ctype, body.replace(value, spelled, 1), None
    if kind == 8:  # another customer's id or CNPJ echoed
        swapped = Request(request.index, request.name, b"", other.id_mensagem, request.cnpj)
        if rng.random() < 0.5:
            swapped = Request(request.index, request.name, b"", request.id_mensagem, other.cnpj)
        return 200, ctype, render(swapped, status), None
    if kind == 9:
        types = ("text/xml", "application/xml", "APPLICATION/XML; charset=UTF-8", "text/html", None, ctype + " ")
        return 200, rng.choice(types), body, None
    if kind == 10:
        return rng.choice((201, 204, 400, 404, 500, 503)), ctype, body, None
    if kind == 11:
        return 0, None, None, "ConnectionResetError"
    if kind == 12:  # whitespace around a slot, or the id in upper case
        value = rng.choice((request.id_mensagem, request.cnpj, status)).encode()
        return 200, ctype, body.replace(value, rng.choice((b" ", b"\n\t")) + value, 1), None
    if kind == 13:
        return 200, ctype, body.replace(request.id_mensagem.encode(), request.id_mensagem.upper().encode()), None
    if kind == 14:  # an error answer, or the status the pack does not know
        if rng.random() < 0.5:
            error = Retorno(request.id_mensagem, request.cnpj, erro_codigo="E42", erro_descricao="recusado")
            rendered = scenario.shape.render_answer(error, rng.choice((200, 422)))
            return rendered.http_status, rendered.content_type, rendered.body, None
        return 200, ctype, body.replace(b">" + status.encode() + b"<", b">XYZ<"), None
    return 200, ctype, rng.choice((body.decode().encode("utf-16"), body[: rng.randrange(len(body))], b"")), None


@pytest.mark.parametrize("validate_share", [1.0, 0.5])
@pytest.mark.parametrize("contract", PACKS)
def test_fast_path_gives_the_full_checks_outcome_on_thousands_of_answers(contract: str, validate_share: float) -> None:
    scenario = scenario_of(contract, validate_share)
    render = erp(scenario)
    rng = random.Random(20261202)
    n = 2500
    requests = [scenario.request(i) for i in range(n)]
    for i, request in enumerate(requests):
        http, ctype, body, error = mutate(rng, scenario, request, requests[(i * 7 + 3) % n], render)
        got = scenario.check(request, http, ctype, body, error)
        assert got == full(scenario, request, http, ctype, body, error=error), (i, http, ctype, body)
    assert scenario.fast is not None
    assert scenario.fast.hits > n // 5  # the fast path did judge (a vacuous fuzz would prove nothing)


@pytest.mark.parametrize("contract", PACKS)
def test_a_conforming_erp_is_judged_by_the_fast_path_after_its_first_answer(contract: str) -> None:
    scenario = scenario_of(contract, customers=400)
    render, rng = erp(scenario), random.Random(1)
    for i in range(400):
        request = scenario.request(i)
        assert scenario.check(
            request, 200, scenario.shape.answer_content_type, render(request, expected_status(request, rng))
        ).ok
    assert scenario.fast is not None
    assert scenario.fast.hits == 399 and len(scenario.fast.templates) == 1
    assert scenario.fast.templates[0].proven == {(c, s) for c in (NUMERIC, ALNUM) for s in ("PEN", "APV", "RPV")}


def test_a_pack_folder_of_the_distributor_never_uses_the_fast_path(tmp_path: Path) -> None:
    folder = tmp_path / "meu-pacote"
    shutil.copytree(contracts_dir() / "v1", folder)  # the same bytes: still not a pack whose XSD a test read
    scenario = scenario_of(str(folder), customers=50)
    assert scenario.fast is None
    render = erp(scenario)
    assert all(scenario.check(r, 200, "application/xml", render(r, "APV" if r.resend else "PEN")).ok
               for r in map(scenario.request, range(50)))  # fmt: skip


def test_an_echo_kept_in_a_comment_is_never_trusted() -> None:
    """The first answer passes (its CNPJ is character references) and holds the CNPJ's text once, in a comment:
    the proof with another CNPJ fails, so the ERP's stale echo is caught by the full check on every answer."""
    scenario = scenario_of(customers=300)
    stale = scenario.request(0).cnpj
    refs = "".join(f"&#{ord(c)};" for c in stale).encode()
    base = erp(scenario)

    def render(request: Request, status: str) -> bytes:
        body = base(request, status).replace(f"<CNPJ>{request.cnpj}</CNPJ>".encode(), b"<CNPJ>" + refs + b"</CNPJ>")
        return body.replace(b"<Status>", f"<!-- {request.cnpj} --><Status>".encode())

    outcomes = []
    for i in range(300):
        request = scenario.request(i)
        body = render(request, "APV" if request.resend else "PEN")
        outcome = scenario.check(request, 200, "application/xml", body)
        assert outcome == full(scenario, request, 200, "application/xml", body)
        outcomes.append(outcome.category)
    assert outcomes[0] is None and outcomes.count(ECO_DIVERGENTE) == 299
    assert scenario.fast is not None and scenario.fast.hits == 0


def test_a_status_slot_that_is_not_the_status_is_used_only_with_the_status_it_learnt() -> None:
    """Status written as a character reference, its word (PEN, then APV for re-sends) in Mensagem: new customers
    keep the fast path (same bytes in the slot), re-sends fail the full check with STATUS_DIVERGENTE."""
    scenario = scenario_of(customers=400)
    base = erp(scenario)

    def render(request: Request, status: str) -> bytes:
        body = base(request, "PEN")  # the ERP always says PEN ...
        body = body.replace(b"<Status>PEN</Status>", b"<Status>&#80;EN</Status>")
        return body.replace(b"Cadastro recebido", status.encode())  # ... and writes what it meant in Mensagem

    categories = []
    for i in range(400):
        request = scenario.request(i)
        body = render(request, "APV" if request.resend else "PEN")
        outcome = scenario.check(request, 200, "application/xml; charset=UTF-8", body)
        assert outcome == full(scenario, request, 200, "application/xml; charset=UTF-8", body)
        categories.append((request.resend, outcome.category))
    assert scenario.fast is not None and scenario.fast.templates
    assert scenario.fast.templates[0].proven == {(NUMERIC, "PEN"), (ALNUM, "PEN")}
    assert scenario.fast.hits == sum(1 for resend, _ in categories if not resend) - 1
    assert all(category == STATUS_DIVERGENTE for resend, category in categories if resend)


def test_a_class_the_full_check_refuses_is_not_proven() -> None:
    """A (CNPJ class, status) combination is used only if its synthesized answer passed the full check."""
    pack = load_pack()

    def judge(ctype: str, body: bytes, id_mensagem: str, cnpj: str, resend: bool) -> Outcome:
        if cnpj_class(cnpj) == ALNUM:
            return Outcome(ECO_DIVERGENTE, detail="recusado no teste")
        return check_answer(http_status=200, content_type=ctype, body=body, id_mensagem=id_mensagem, cnpj=cnpj,
                            resend=resend, schema=pack.answer, shape=pack.shape)  # fmt: skip

    templates = AnswerTemplates(pack.shape.status_words, judge)
    source = CustomerSource([parse_cep_range("01000000-19999999")], seed=7, alnum_share=0.5)
    numeric = next(c for c in map(source.cnpj, range(100)) if cnpj_class(c) == NUMERIC)
    alnum = next(c for c in map(source.cnpj, range(100)) if cnpj_class(c) == ALNUM)
    ids = [source.message_id(i) for i in range(2)]

    def body(i: int, cnpj: str) -> bytes:
        return pack.shape.render_answer(Retorno(ids[i], cnpj, status="PEN")).body

    ctype = "application/xml"
    assert templates.learn(ids[0], numeric, "PEN", ctype, body(0, numeric)) is not None
    assert templates.judge(ids[1], numeric, False, ctype, body(1, numeric)) == Outcome(None, "PEN")
    assert templates.judge(ids[1], alnum, False, ctype, body(1, alnum)) is None
    assert templates.judge(ids[1], numeric, True, ctype, body(1, numeric)) is None  # PEN to a re-send
    assert templates.judge(ids[1], numeric, False, "text/xml", body(1, numeric)) is None
    assert templates.judge(ids[1].upper(), numeric, False, ctype, body(1, numeric).upper()) is None


@pytest.mark.parametrize(
    "body",
    [
        '<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16"),
        b'<?xml version="1.0" encoding="UTF-16"?><a/>',
        b'<?xml version="1.0" encoding="UTF-7"?><a/>',
        b'<?xml version="1.0" encoding="EBCDIC-US"?><a/>',
        "<a/>".encode("cp500"),
        b" <a/>",
        b"<a>\x00</a>",
        b"<?xml version='1.0' encoding='utf-8'",
    ],
)
def test_bodies_not_read_as_ascii_are_never_learnt(body: bytes) -> None:
    assert not ascii_compatible(body)


@pytest.mark.parametrize(
    "body", [b"<a/>", b"\xef\xbb\xbf<a/>", b'<?xml version="1.0"?><a/>', b"<?xml version='1.0' encoding='UTF-8'?><a/>"]
)
def test_utf8_bodies_can_be_learnt(body: bytes) -> None:
    assert ascii_compatible(body)


def test_a_marker_that_a_slot_could_complete_refuses_the_template() -> None:
    pack = load_pack()
    calls: list[str] = []

    def judge(ctype: str, body: bytes, id_mensagem: str, cnpj: str, resend: bool) -> Outcome:
        calls.append(cnpj)
        return Outcome(None, "PEN")

    templates = AnswerTemplates(pack.shape.status_words, judge)
    ident, cnpj = "0f1e2d3c-4b5a-4697-8877-665544332299", "ABCDEFGH000112"
    body = f"<a><![CDATA[<!DOC]]>{cnpj}<b>{ident}</b><c>PEN</c></a>".encode()
    assert templates.learn(ident, cnpj, "PEN", "text/xml", body) is not None  # "]]>" before the slot: fine
    body = f"<a><!-- <!DOC{cnpj} --><b>{ident}</b><c>PEN</c></a>".encode()
    assert templates.learn(ident, cnpj, "PEN", "text/xml", body) is None and len(calls) == 6


def test_shipped_packs_echo_types_accept_every_generated_value_by_length_alone() -> None:
    """The residual assumption of the fast path (module docstring, item 4), read from the shipped XSDs: IdMensagem
    and CNPJ of the answer are xs:string restricted by length only, nothing derives from their types, and the
    answer has no named check. Adding a pattern or an enumeration there must fail here."""
    for name in answer_template.PROVEN_PACKS:
        pack = load_pack(name)
        assert pack.answer.checks == ()
        assert answer_template.echo_types_length_only(pack.answer.xsd_path.read_bytes()), name
        assert answer_template.proven_pack(pack)
        assert answer_template.judged_digest(pack.folder) == answer_template.PROVEN_PACKS[name], (
            f"o pacote {name} mudou: confira de novo o item 4 da prova (docstring de answer_template) e fixe o novo"
            " SHA-256 em PROVEN_PACKS"
        )


def test_a_shipped_pack_edited_in_place_loses_the_fast_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Red team F1: an installed v1 whose pack.toml reads the echoed id from another element (with a pattern) kept
    the fast path, since only the XSD's IdMensagem/CNPJ were read. The digest of what judges an answer is pinned."""
    pack = load_pack("v1")
    monkeypatch.setitem(answer_template.PROVEN_PACKS, "v1", "0" * 64)  # as if the installed files had been edited
    assert not answer_template.proven_pack(pack)
    copy = tmp_path / "v1"
    shutil.copytree(pack.folder, copy)
    before = answer_template.judged_digest(copy)
    (copy / "README.md").write_text("outro texto", encoding="utf-8")
    assert answer_template.judged_digest(copy) == before  # documentation does not judge
    manifest = copy / "pack.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n# editado\n", encoding="utf-8")
    assert answer_template.judged_digest(copy) != before


DERIVED = b'<xs:simpleType name="Eco14b"><xs:restriction base="Eco14"><xs:pattern value="[0-9]+"/></xs:restriction>'
UNIQUE = b'<xs:unique name="u"><xs:selector xpath="."/><xs:field xpath="."/></xs:unique>'


@pytest.mark.parametrize(
    "old,new",
    [
        (b'<xs:maxLength value="14"/>', b'<xs:maxLength value="14"/><xs:pattern value="[0-9]{14}"/>'),
        (b'<xs:maxLength value="14"/>', b'<xs:enumeration value="11222333000181"/>'),
        (b'<xs:maxLength value="14"/>', b'<xs:maxLength value="13"/>'),
        (b'<xs:maxLength value="36"/>', b'<xs:length value="32"/>'),
        (b'base="xs:string"><xs:maxLength value="14"/>', b'base="xs:token"><xs:maxLength value="14"/>'),
        (b'type="Eco14"', b'type="xs:string"'),
        (b'type="Texto1a20"', b'type="Eco14"'),  # Erro/Codigo shares the CNPJ's type
        (b'<xs:simpleType name="Status">', DERIVED + b'</xs:simpleType><xs:simpleType name="Status">'),
        (b'<xs:simpleType name="Status">', b'<xs:import namespace="urn:x"/><xs:simpleType name="Status">'),
        (b'<xs:element name="Status"', b'<xs:element name="CNPJ" type="Eco14"/><xs:element name="Status"'),
        (b"</xs:complexType>\n  </xs:element>", b"</xs:complexType>" + UNIQUE + b"</xs:element>"),
    ],
)
def test_an_answer_xsd_that_could_tell_values_apart_is_not_length_only(old: bytes, new: bytes) -> None:
    xsd = load_pack().answer.xsd_path.read_bytes()
    assert old in xsd
    assert not answer_template.echo_types_length_only(xsd.replace(old, new, 1))


def test_every_generated_id_and_cnpj_is_in_a_fast_path_class() -> None:
    source = CustomerSource([parse_cep_range("01000000-99999999")], seed=3, alnum_share=0.5)
    classes = {cnpj_class(source.cnpj(i)) for i in range(5000)}
    assert classes == {NUMERIC, ALNUM}
    assert all(
        answer_template.is_message_id(source.message_id(i, attempt)) for i in range(2000) for attempt in (0, 1, 2)
    )


@pytest.mark.parametrize("contract", PACKS)
def test_values_outside_the_generators_classes_go_to_the_full_check(contract: str) -> None:
    """A hand-made request whose id or CNPJ has markup, another length or case: the answer filled with it is judged
    by the full check (an id of 40 characters is outside the schema; ``&amp;`` is read back as ``&``)."""
    scenario = scenario_of(contract, customers=20)
    render = erp(scenario)
    first = scenario.request(0)
    assert scenario.check(first, 200, scenario.shape.answer_content_type, render(first, "PEN")).ok
    good = scenario.request(1)
    odd_ids = (good.id_mensagem + "abcd", good.id_mensagem.upper(), good.id_mensagem[:-1] + "&amp;", "")
    odd_cnpjs = (
        "1&amp;2",
        good.cnpj + "0",
        good.cnpj[:-1],
        "ab" + good.cnpj[2:],
        "١٢٣٤٥٦٧٨٠٠٠١٩٩",
        "ABCDEFGHIJKLMN",
        "\ud800",
    )
    cases = [(i, good.cnpj) for i in odd_ids] + [(good.id_mensagem, c) for c in odd_cnpjs]
    for ident, cnpj in cases:
        request = Request(good.index, good.name, b"", ident, cnpj)
        shape = scenario.shape
        body = render(Request(0, "novo", b"", "@ID@", "@CNPJ@"), "PEN")
        body = body.replace(b"@ID@", ident.encode()).replace(b"@CNPJ@", cnpj.encode("utf-8", "surrogatepass"))
        ctype = shape.answer_content_type
        assert scenario.check(request, 200, ctype, body) == full(scenario, request, 200, ctype, body), (ident, cnpj)
    assert scenario.fast is not None and scenario.fast.hits == 0


def test_an_answer_that_repeats_the_id_is_not_learnt() -> None:
    """Each slot must occur exactly once in the learnt answer: an ERP that repeats the id in Mensagem is judged by
    the full check on every answer (and stops being tried after a bounded number of attempts)."""
    scenario = scenario_of(customers=100)
    shape = scenario.shape
    for i in range(100):
        request = scenario.request(i)
        answer = Retorno(request.id_mensagem, request.cnpj, status="APV" if request.resend else "PEN",
                         mensagem=f"pedido {request.id_mensagem} recebido")  # fmt: skip
        assert scenario.check(request, 200, shape.answer_content_type, shape.render_answer(answer).body).ok
    assert scenario.fast is not None
    assert scenario.fast.templates == [] and scenario.fast.hits == 0
    assert scenario.fast.attempts == answer_template.MAX_ATTEMPTS


def test_slots_are_filled_in_the_order_the_template_has_them() -> None:
    def judge(ctype: str, body: bytes, id_mensagem: str, cnpj: str, resend: bool) -> Outcome:
        found = re.fullmatch(rb"<a><c>(.*)</c><i>(.*)</i><s>(.*)</s></a>", body)
        ok = found is not None and found.groups() == (cnpj.encode(), id_mensagem.encode(), b"APV" if resend else b"PEN")
        return Outcome(None, "APV" if resend else "PEN") if ok else Outcome(ECO_DIVERGENTE)

    templates = AnswerTemplates({"PEN": "PEN", "APV": "APV", "RPV": "RPV"}, judge)
    ident, other = "0f1e2d3c-4b5a-4697-8877-665544332299", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c00"
    learnt = templates.learn(
        ident, "11222333000181", "PEN", "text/xml", f"<a><c>11222333000181</c><i>{ident}</i><s>PEN</s></a>".encode()
    )
    assert learnt is not None and learnt.proven == {(NUMERIC, "PEN"), (ALNUM, "PEN"), (NUMERIC, "APV"), (ALNUM, "APV")}
    body = f"<a><c>AB222333000181</c><i>{other}</i><s>APV</s></a>".encode()
    assert templates.judge(other, "AB222333000181", True, "text/xml", body) == Outcome(None, "APV")
    assert templates.judge(other, "AB222333000181", False, "text/xml", body) is None


def test_an_erp_whose_answers_never_repeat_keeps_the_full_check_at_a_bounded_cost() -> None:
    """A protocol number in every answer: templates are learnt (at most MAX_TEMPLATES) but never match, so every
    answer is judged by the full check, with the same verdicts."""
    scenario = scenario_of(customers=200)
    shape = scenario.shape
    for i in range(200):
        request = scenario.request(i)
        answer = Retorno(request.id_mensagem, request.cnpj, status="APV" if request.resend else "PEN",
                         mensagem=f"protocolo {i:06d}")  # fmt: skip
        body = shape.render_answer(answer).body
        got = scenario.check(request, 200, shape.answer_content_type, body)
        assert got.ok and got == full(scenario, request, 200, shape.answer_content_type, body)
    assert scenario.fast is not None
    assert scenario.fast.hits == 0 and len(scenario.fast.templates) == answer_template.MAX_TEMPLATES
