"""An exact fast path for the answers that pass: the ERP's answer learnt as bytes with three slots.

An ERP answers every customer with the same bytes but for the echoed IdMensagem, the echoed CNPJ and the status.
:class:`AnswerTemplates` learns those bytes from an answer that passed the full check
(:func:`homologa.load.checks.check_answer`, XSD validation included), cut at the one occurrence of the request's id,
CNPJ and status word. A later answer with HTTP 200, the very same Content-Type string and a body byte-identical to
the template filled with *its* request's id, CNPJ and an expected status passes without being parsed; every other
answer goes through the full check, so failures are always judged (category, detail) by it alone.

Why the fast verdict is the full check's, for every answer it gives one to:

1. Values. The fast path only fills slots with an id of the generator's class (36 chars of ``[0-9a-f-]``: its
   lowercase UUIDs) and a CNPJ of one of its two classes (14 chars: ``[0-9]{14}``, or ``[0-9A-Z]{12}[0-9]{2}``
   with letters); the request's values are re-matched against these classes on every answer. No such character
   is XML markup (``< > & ] ' "``, whitespace, ``!``), and all values of a class have the same length.
2. Bytes. A template is learnt only from a short (≤ 4 KiB) body with no NUL byte that starts with ``<`` (after an
   optional UTF-8 BOM) and declares no encoding but UTF-8/ASCII/Latin-1: libxml2 reads it ASCII-compatibly, so the
   slot bytes are the slot characters. ``<!DOCTYPE``/``<!ENTITY`` (what :mod:`homologa.xmlsafe` looks for) cannot
   straddle a slot: a slot holds no ``<`` or ``!``, no status word is a piece of a marker, and no template piece
   may end in ``<!``, ``<!D``, … (refused otherwise); the body's length is the same for every value of a class.
3. Proof. At learn time each slot's role is proven by the full check itself, with *other* values: a generated-like
   id and a CNPJ of each class, with each status word, judged with validation on and the matching expectation (PEN
   for a new customer, APV/RPV for a re-send). A (class, status) combination is used only if that body passed with
   that status. Since a slot is a run of non-markup characters it lies inside one token; the echo passed for two
   different values, so the slot is the echo element's text (char data or CDATA, with only whitespace around it —
   not a comment, attribute, name, PI or character reference, which would leave the echoed text unchanged).
   Hence for every value of the class the parsed tree is the same but for the echo texts, which equal the value.
   The status slot holds fixed bytes within a combination, wherever it sits.
4. Schema. What could still tell two values of a class apart is the answer XSD (a pattern or an enumeration on
   the echo types) or a named check of the pack. The fast path is enabled only for the shipped packs
   (``contracts/v1``, ``contracts/v1-soap``) whose answers have no named check and whose echo types are length-only
   (``Eco36``/``Eco14``: ``xs:string`` with ``maxLength``, nothing derived from them), read again from the XSD
   at start-up by :func:`echo_types_length_only` (a test fails if the shipped XSDs stop passing it), and never for
   another pack folder (``--contract PATH``), whose XSD may say more than that function understands; and only
   while the files that judge an answer (``pack.toml`` with its answer paths, the XSDs, the templates) still have
   the SHA-256 pinned in :data:`PROVEN_PACKS` (an installed pack edited in place loses the fast path).
5. Sampling. Templates are learnt only from answers checked with validation, and the proofs validate: a fast
   pass is what the full check gives with validation, hence also without (sampling only removes a check).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from homologa import xmlsafe
from homologa.contract import ContractPack
from homologa.load.checks import Outcome
from homologa.model import STATUS_KNOWN, STATUS_NEW, STATUSES
from homologa.resources import contracts_dir

# The shipped packs the proof below was checked for, by the SHA-256 of what judges an answer (judged_digest): an
# edit of an installed pack (an echo read from another element, a pattern) turns the fast path off; changing a shipped
# pack fails tests/test_load_answer_template.py until someone re-checks item 4 and pins the new digest here.
PROVEN_PACKS = {
    "v1": "5daf4b20d3498c70e891d696a61b57d602186751978d7e6c95abfa1efeb5444e",
    "v1-soap": "ec44b4814c17fbde1c114de7cb5fa6d91435efdda9baf4fccd9932eb71342784",
}
MAX_BODY = 4096
MAX_TEMPLATES = 4  # an ERP with a different answer per status needs a few; one whose bytes vary needs none
MAX_ATTEMPTS = 32  # learn attempts per process: an ERP whose answers never repeat costs at most this many

NUMERIC = "numerico"
ALNUM = "alfanumerico"
CNPJ_CLASSES = (NUMERIC, ALNUM)

_ID_CHARS = b"0123456789abcdef-"
_ALNUM_CHARS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_MARKER_HEADS = tuple(m[:k] for m in _MARKERS for k in range(2, len(m)))
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_ASCII_ENCODINGS = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii", b"iso-8859-1", b"latin1"})
_BOM = b"\xef\xbb\xbf"
_PASSED = {status: Outcome(None, status=status) for status in STATUSES}
_EXPECTED = {False: (STATUS_NEW,), True: tuple(sorted(STATUS_KNOWN))}  # resend -> the statuses that pass

# values the proofs fill the slots with: two of each class so one always differs from the learnt answer's
_PROOF_IDS = ("0f1e2d3c-4b5a-4697-8877-665544332211", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d")
_PROOF_CNPJS = {NUMERIC: ("98765432000198", "12345678000195"), ALNUM: ("Z9Y8X7W6000153", "12ABC34501DE35")}

# the full check, with validation, of an answer to (id, cnpj, resend): (content_type, body, id, cnpj, resend)
Judge = Callable[[str, bytes, str, str, bool], Outcome]


def cnpj_class(cnpj: str) -> str | None:
    """The generator's class of ``cnpj`` (numeric, or alphanumeric with letters), None for anything else."""
    return _class_of(cnpj.encode()) if cnpj.isascii() else None


def _class_of(cnpj: bytes) -> str | None:
    if len(cnpj) != 14:
        return None
    if cnpj.isdigit():  # bytes: ASCII digits only
        return NUMERIC
    return ALNUM if cnpj[12:].isdigit() and not cnpj[:12].translate(None, _ALNUM_CHARS) else None


def is_message_id(text: str) -> bool:
    """36 characters of ``[0-9a-f-]``: the class of the generator's IdMensagem (a lowercase UUID)."""
    return text.isascii() and _is_id(text.encode())


def _is_id(ident: bytes) -> bool:
    return len(ident) == 36 and not ident.translate(None, _ID_CHARS)


def proven_pack(pack: ContractPack) -> bool:
    """The fast path may be used with ``pack``: one of the shipped packs, no named check on the answer, and its
    answer XSD still makes the echo types length-only (read again here, in case the installed files were edited)."""
    if pack.answer.checks:
        return False
    shipped = contracts_dir()
    folder = pack.folder.resolve()
    names = [name for name in PROVEN_PACKS if folder == (shipped / name).resolve()]
    if not names:
        return False
    try:
        return judged_digest(folder) == PROVEN_PACKS[names[0]] and echo_types_length_only(
            pack.answer.xsd_path.read_bytes()
        )
    except (OSError, xmlsafe.MalformedXML, xmlsafe.UnsafeXML):
        return False


def judged_digest(folder: Path) -> str:
    """SHA-256 of the files of a pack folder that decide how an answer is read and judged: ``pack.toml`` (answer
    paths, status words, transport), its XSDs and its templates (not its README or examples)."""
    digest = hashlib.sha256()
    for path in sorted([folder / "pack.toml", *folder.glob("*.xsd"), *(folder / "modelos").glob("*")]):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


ECHO_LENGTHS = {"IdMensagem": 36, "CNPJ": 14}  # the echo elements and the length of the generator's values
_XS = "{http://www.w3.org/2001/XMLSchema}"
_REFUSED = tuple(
    _XS + name
    for name in ("include", "import", "redefine", "override", "any", "anyAttribute", "unique", "key", "keyref")
)


def echo_types_length_only(xsd: bytes) -> bool:
    """In the answer XSD ``xsd``, ``IdMensagem`` and ``CNPJ`` are declared once, each with a named simple type of
    this document that restricts ``xs:string`` by length facets alone (admitting the generator's length), that no
    other declaration uses and no type derives from; and nothing else (imports, wildcards, identity constraints,
    substitution groups) could make a value of that length valid here and invalid there. Conservative: anything it
    does not recognise is False."""
    root = xmlsafe.parse(xsd)
    if root.tag != _XS + "schema" or any(True for _ in root.iter(*_REFUSED)):
        return False
    if any(e.get("substitutionGroup") is not None for e in root.iter(_XS + "element")):
        return False
    declared: dict[str, list[str | None]] = {}
    for element in root.iter(_XS + "element"):
        declared.setdefault(element.get("name") or "", []).append(element.get("type"))
    types = {t.get("name"): t for t in root if t.tag == _XS + "simpleType"}
    bases = [d.get("base") for d in root.iter(_XS + "restriction", _XS + "extension")]
    used = [t for found in declared.values() for t in found]
    for name, length in ECHO_LENGTHS.items():
        found = declared.get(name, [])
        if len(found) != 1 or found[0] is None or ":" in found[0] or found[0] not in types:
            return False
        kind = found[0]
        if used.count(kind) != 1 or kind in bases:
            return False
        restrictions = list(types[kind])
        if len(restrictions) != 1 or restrictions[0].tag != _XS + "restriction":
            return False
        restriction = restrictions[0]
        prefix, _, local = (restriction.get("base") or "").rpartition(":")
        if local != "string" or restriction.nsmap.get(prefix or None) != _XS[1:-1]:
            return False
        for facet in restriction:
            value = facet.get("value") or ""
            if not value.isdigit():
                return False
            tag, limit = facet.tag, int(value)
            if not (
                (tag == _XS + "maxLength" and limit >= length)
                or (tag == _XS + "minLength" and limit <= length)
                or (tag == _XS + "length" and limit == length)
            ):
                return False
    return True


def ascii_compatible(body: bytes) -> bool:
    """``body`` is read by libxml2 in an ASCII-compatible encoding, so its ASCII bytes are those characters."""
    if b"\x00" in body:
        return False
    head = body.removeprefix(_BOM)
    if not head.startswith(b"<"):
        return False  # UTF-16/32, EBCDIC or a leading anything: not learnt
    if head.startswith(b"<?xml"):
        end = head.find(b"?>")
        if end < 0:
            return False
        declared = _ENCODING.search(head[:end])
        if declared is not None and declared.group(1).lower() not in _ASCII_ENCODINGS:
            return False
    return True  # no declaration: UTF-8 (with or without its BOM)


@dataclass(frozen=True, slots=True)
class Template:
    """One learnt answer: its Content-Type and, per proven status, the bytes around the id and CNPJ slots."""

    content_type: str
    id_first: bool  # the id slot comes before the CNPJ slot
    pieces: dict[str, tuple[bytes, bytes, bytes]]  # status -> bytes before, between and after the two slots
    proven: frozenset[tuple[str, str]]  # (CNPJ class, status) combinations the full check passed
    # (class, status) -> its pieces and the body's length (ids and CNPJs have fixed lengths), proven ones only
    proven_pieces: dict[tuple[str, str], tuple[bytes, bytes, bytes, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind, status in self.proven:
            head, middle, tail = self.pieces[status]
            self.proven_pieces[kind, status] = (head, middle, tail, len(head) + len(middle) + len(tail) + 36 + 14)

    def fill(self, status: str, id_mensagem: bytes, cnpj: bytes) -> bytes:
        head, middle, tail = self.pieces[status]
        first, second = (id_mensagem, cnpj) if self.id_first else (cnpj, id_mensagem)
        return b"".join((head, first, middle, second, tail))


def _pieces(body: bytes, slots: dict[str, bytes]) -> tuple[list[str], list[bytes]] | None:
    """The body cut at the one occurrence of each slot's bytes (names in body order, len+1 pieces), or None."""
    spans = []
    for name, value in slots.items():
        start = body.find(value)
        if start < 0 or body.find(value, start + 1) >= 0:
            return None
        spans.append((start, start + len(value), name))
    spans.sort()
    if any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1)):
        return None
    pieces, names, at = [], [], 0
    for start, end, name in spans:
        pieces.append(body[at:start])
        names.append(name)
        at = end
    pieces.append(body[at:])
    if any(piece.endswith(_MARKER_HEADS) for piece in pieces[:-1]):
        return None
    return names, pieces


class AnswerTemplates:
    """The fast path of one process's answer checks (see the module docstring for why it is exact)."""

    def __init__(self, status_words: dict[str, str], judge: Judge) -> None:
        self._words = {status: word.encode() for status, word in status_words.items()}
        self._usable = all(
            word.isascii() and word and not any(word in m for m in _MARKERS) for word in self._words.values()
        ) and set(self._words) == set(STATUSES)
        self._judge = judge
        self.templates: list[Template] = []
        self.attempts = 0
        self.hits = 0

    def judge(self, id_mensagem: str, cnpj: str, resend: bool, content_type: str | None, body: bytes) -> Outcome | None:
        """The passing outcome of an HTTP-200 answer that is a proven template filled with this request's values;
        None when the full check must judge it."""
        if not self.templates:
            return None
        if not (id_mensagem.isascii() and cnpj.isascii()):
            return None
        ident, number = id_mensagem.encode(), cnpj.encode()
        kind = _class_of(number)
        if kind is None or not _is_id(ident):
            return None
        size = len(body)
        for template in self.templates:
            if content_type != template.content_type:
                continue
            for status in _EXPECTED[resend]:
                pieces = template.proven_pieces.get((kind, status))
                if pieces is not None and size == pieces[3]:
                    first, second = (ident, number) if template.id_first else (number, ident)
                    if body == b"".join((pieces[0], first, pieces[1], second, pieces[2])):
                        self.hits += 1
                        return _PASSED[status]
        return None

    def learn(self, id_mensagem: str, cnpj: str, status: str, content_type: str, body: bytes) -> Template | None:
        """Learn a template from ``body``, an answer to (``id_mensagem``, ``cnpj``) that passed the full check with
        validation with ``status``; None when it cannot be learnt or nothing in it is proven."""
        if not self._usable or len(self.templates) >= MAX_TEMPLATES or self.attempts >= MAX_ATTEMPTS:
            return None
        self.attempts += 1
        kind = cnpj_class(cnpj)
        if kind is None or not is_message_id(id_mensagem) or status not in STATUSES:
            return None
        if len(body) > MAX_BODY or not ascii_compatible(body):
            return None
        cut = _pieces(body, {"id": id_mensagem.encode(), "cnpj": cnpj.encode(), "status": self._words[status]})
        if cut is None:
            return None
        names, parts = cut
        pieces: dict[str, tuple[bytes, bytes, bytes]] = {}
        for code, word in self._words.items():
            merged = [parts[0]]
            for name, part in zip(names, parts[1:], strict=True):
                if name == "status":
                    merged[-1] += word + part
                else:
                    merged.append(part)
            pieces[code] = (merged[0], merged[1], merged[2])
        id_first = names.index("id") < names.index("cnpj")
        draft = Template(content_type, id_first, pieces, frozenset())
        proven = set()
        proof_id = next(v for v in _PROOF_IDS if v != id_mensagem)
        for cls in CNPJ_CLASSES:
            proof_cnpj = next(v for v in _PROOF_CNPJS[cls] if v != cnpj)
            for code in sorted(STATUSES):
                synthetic = draft.fill(code, proof_id.encode(), proof_cnpj.encode())
                outcome = self._judge(content_type, synthetic, proof_id, proof_cnpj, code != STATUS_NEW)
                if outcome.ok and outcome.status == code:
                    proven.add((cls, code))
        if not proven:
            return None
        template = Template(content_type, id_first, pieces, frozenset(proven))
        self.templates.append(template)
        return template
