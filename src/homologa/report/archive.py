"""Reading a homologation package back — refusing a hostile zip before anything in it is trusted.

A package comes from outside (a distributor sends it to the platform), so its structure is checked before any
member is read: a repeated member name (``unzip`` extracts the first copy, :mod:`zipfile` reads the last, so a
forged first ``resumo.html`` would pass unseen), unsafe names (absolute, ``..``, backslashes, drive letters, NUL or
control characters), encrypted members, compression methods other than stored/deflate, and sizes over the limits
(:class:`Limits`). Each refusal is one pt-BR line naming the member and the rule, raised as :class:`ArchiveError`
(``homologa verificar`` exit 2: unreadable, not "altered").

Memory stays flat whatever the package holds: member hashes are computed in chunks, only the manifest and the run
record are read whole (both capped), and the results are streamed to a temporary folder — each copy re-hashed and
compared with the hash taken when the package was opened, so a file swapped in between is caught.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from homologa.report import burst
from homologa.report.load_evidence import Session, session
from homologa.report.manifest import MANIFEST_NAME
from homologa.report.package import LOAD_PREFIX, RESULTS_PREFIX
from homologa.report.results import Results, ResultsError
from homologa.report.tally import TallyError
from homologa.runs import RECORD_NAME

MIB = 1024 * 1024
CHUNK = MIB
RECORD_MEMBER = RECORD_NAME  # the run's own record (``execucao.json``), at the top of the package
ACCEPTED_METHODS = {zipfile.ZIP_STORED: "sem compressão", zipfile.ZIP_DEFLATED: "deflate"}
# what a reader of the zip may raise on corrupt data (CRC, truncated stream, bad header, unsupported feature)
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)
# fields of the manifest the verification and the comparison look into, so must be objects (when not null)
_MANIFEST_FIELDS = {"contrato": dict, "golden": dict, "regras": dict, "carga": dict}
_DRIVE = re.compile(r"^[A-Za-z]:")
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


class ArchiveError(Exception):
    """Not a readable homologation package, or one refused as hostile; the message is pt-BR."""


def reason(exc: BaseException) -> str:
    """Why a read failed, in pt-BR (never the English text of :mod:`zipfile`, :mod:`zlib` or the OS)."""
    if isinstance(exc, zipfile.BadZipFile):
        if "CRC" in str(exc):
            return "CRC não confere: conteúdo corrompido"
        return "não é um arquivo zip, ou está corrompido"
    if isinstance(exc, zlib.error):
        return "dados compactados corrompidos"
    if isinstance(exc, EOFError):
        return "arquivo cortado antes do fim"
    if isinstance(exc, IsADirectoryError):
        return "é uma pasta, não um arquivo"
    if isinstance(exc, PermissionError):
        return "sem permissão de leitura"
    if isinstance(exc, FileNotFoundError):
        return "arquivo não encontrado"
    if isinstance(exc, OSError):
        return f"erro de leitura do sistema operacional (errno {exc.errno})" if exc.errno else "erro de leitura"
    if isinstance(exc, NotImplementedError):
        return "recurso de zip não suportado"
    return "estrutura do zip inválida"


@dataclass(frozen=True)
class Limits:
    """What a package may hold. Real packages are far below: a few hundred members, a manifest of some KiB."""

    members: int = 10_000
    directory_bytes: int = 4 * MIB  # the zip's central directory, read whole by zipfile before anything else
    name_chars: int = 1024
    member_bytes: int = 256 * MIB
    total_bytes: int = 4 * 1024 * MIB
    manifest_bytes: int = 4 * MIB
    manifest_entries: int = 10_000
    parsed_bytes: int = 8 * MIB  # any JSON or properties file the verification parses (results, tally, record)


LIMITS = Limits()


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MiB".replace(".", ",")


@dataclass(frozen=True)
class Archive:
    path: Path
    hashes: dict[str, str]  # SHA-256 of every file member, computed in chunks when the package was opened
    manifest: dict[str, Any]
    limits: Limits = field(default=LIMITS)

    def session(self) -> Session:
        """The results and the load tally inside the package, read as ``homologa relatorio`` reads them."""
        with tempfile.TemporaryDirectory(prefix="homologa-pacote-") as tmp:
            results_dir, load_dir = Path(tmp) / "allure-results", Path(tmp) / "carga"
            results_dir.mkdir()
            load_dir.mkdir()
            with self._zip() as zf:
                for name in self.hashes:
                    for prefix, folder in ((RESULTS_PREFIX, results_dir), (LOAD_PREFIX, load_dir)):
                        rest = name[len(prefix) :]
                        if name.startswith(prefix) and "/" not in rest:
                            self._copy(zf, name, folder / rest)
            try:
                found = session(results_dir, load_dir)
            except (ResultsError, TallyError) as exc:
                raise ArchiveError(f"resultados do pacote: {exc}") from None
            except (RecursionError, ValueError) as exc:  # nesting too deep, a number of 5000 digits...
                raise ArchiveError(f"resultados do pacote: JSON impossível de ler ({type(exc).__name__})") from None
            problem = burst.inconsistency(load_dir) if found.burst is not None else None
            results = Results(folder=self.path, tests=found.results.tests, environment=found.results.environment)
            return Session(results, found.tally, burst=found.burst, load_problem=problem)

    def record(self) -> dict[str, Any] | None:
        """The run's record (``execucao.json``) when the package holds one, else ``None``."""
        if RECORD_MEMBER not in self.hashes:
            return None
        with self._zip() as zf:
            data = _read_capped(zf, zf.getinfo(RECORD_MEMBER), self.limits.parsed_bytes, self.path.name)
        if hashlib.sha256(data).hexdigest() != self.hashes[RECORD_MEMBER]:
            raise ArchiveError(f"{self.path.name}: o pacote mudou durante a verificação ({RECORD_MEMBER})")
        record = _parse_json(data, RECORD_MEMBER, self.path.name)
        if not isinstance(record, dict):
            raise ArchiveError(f"{self.path.name}: {RECORD_MEMBER} não é um objeto JSON")
        return record

    @contextmanager
    def _zip(self) -> Iterator[zipfile.ZipFile]:
        try:
            with zipfile.ZipFile(self.path) as zf:
                yield zf
        except ArchiveError:
            raise
        except _READ_ERRORS as exc:
            raise ArchiveError(f"{self.path.name}: pacote ilegível ao ler os resultados ({reason(exc)})") from None

    def _copy(self, zf: zipfile.ZipFile, name: str, target: Path) -> None:
        info = zf.getinfo(name)
        if target.suffix in (".json", ".properties") and info.file_size > self.limits.parsed_bytes:
            raise ArchiveError(
                f"{self.path.name}: {name}: {_mib(info.file_size)}, acima do limite de "
                f"{_mib(self.limits.parsed_bytes)} para um arquivo que a verificação precisa ler"
            )
        digest = hashlib.sha256()
        with zf.open(info) as source, target.open("wb") as out:
            for chunk in _chunks(source):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != self.hashes[name]:
            raise ArchiveError(f"{self.path.name}: o pacote mudou durante a verificação ({name})")


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    while chunk := source.read(CHUNK):
        yield chunk


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, package: str) -> bytes:
    if info.file_size > cap:
        raise ArchiveError(f"{package}: {info.filename}: {_mib(info.file_size)}, acima do limite de {_mib(cap)}")
    with zf.open(info) as source:
        data = source.read(cap + 1)
    if len(data) > cap:
        raise ArchiveError(f"{package}: {info.filename}: maior que o limite de {_mib(cap)}")
    return data


def _parse_json(data: bytes, name: str, package: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError, an integer of more than 4300 digits
        what = "texto que não é UTF-8" if isinstance(exc, UnicodeDecodeError) else "JSON inválido"
        if isinstance(exc, json.JSONDecodeError):
            what += f" na linha {exc.lineno}, coluna {exc.colno}"
        raise ArchiveError(f"{package}: {name} ilegível ({what})") from None
    except RecursionError:
        raise ArchiveError(f"{package}: {name} ilegível (JSON aninhado demais)") from None


def unsafe_name(info: zipfile.ZipInfo, limits: Limits = LIMITS) -> str | None:
    """Why a member name is unsafe to extract anywhere (``None`` when it is safe)."""
    raw = info.orig_filename  # zipfile cuts the name at a NUL byte; the original keeps it
    name = info.filename
    if "\0" in raw:
        return "caractere nulo no nome"
    if not name or name in ("/", "."):
        return "nome vazio"
    if len(raw) > limits.name_chars:
        return f"nome com mais de {limits.name_chars} caracteres"
    if any(ord(char) < 32 or ord(char) == 127 for char in raw):
        return "caractere de controle no nome"
    if "\\" in raw:
        return "barra invertida no nome (caminho do Windows)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "link simbólico (extraído, apontaria para fora do pacote)"
    if raw.startswith("/"):
        return "caminho absoluto"
    if _DRIVE.match(raw):
        return "letra de unidade no nome (caminho do Windows)"
    if ".." in PurePosixPath(raw).parts:
        return "caminho com '..' (sairia da pasta de extração)"
    return None


def _directory_size(fp: IO[bytes], package: str, limits: Limits) -> None:
    """Refuse a central directory over the limits before :mod:`zipfile` reads it whole into memory."""
    fp.seek(0, 2)
    size = fp.tell()
    tail_len = min(size, _EOCD.size + 65535)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        return  # not a zip: zipfile says so
    _, _, _, _, entries, cd_size, _, _ = _EOCD.unpack_from(tail, at)
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and at >= _ZIP64_LOCATOR.size:
        sig, _, offset, _ = _ZIP64_LOCATOR.unpack_from(tail, at - _ZIP64_LOCATOR.size)
        if sig == b"PK\x06\x07" and offset + _ZIP64_EOCD.size <= size:
            fp.seek(offset)
            record = fp.read(_ZIP64_EOCD.size)
            if record[:4] == b"PK\x06\x06":
                fields = _ZIP64_EOCD.unpack(record)
                entries, cd_size = fields[7], fields[8]
    if entries > limits.members:
        raise ArchiveError(f"{package}: {entries} membros no pacote, acima do limite de {limits.members}")
    if cd_size > limits.directory_bytes:
        raise ArchiveError(
            f"{package}: diretório do zip com {_mib(cd_size)}, acima do limite de {_mib(limits.directory_bytes)}"
        )


def check_structure(infos: list[zipfile.ZipInfo], package: str, limits: Limits = LIMITS) -> None:
    """Every structural refusal, before a single member is read (one pt-BR line naming the member and the rule)."""
    if len(infos) > limits.members:
        raise ArchiveError(f"{package}: {len(infos)} membros no pacote, acima do limite de {limits.members}")
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        shown = info.orig_filename.replace("\0", "\\0")
        reason = unsafe_name(info, limits)
        if reason:
            raise ArchiveError(f"{package}: membro {shown!r} recusado: {reason}")
        key = unicodedata.normalize("NFC", info.filename.rstrip("/")).casefold()
        if key in seen:
            same = "repetido" if seen[key] == info.filename else f"igual a {seen[key]!r} (maiúsculas ou acentos)"
            raise ArchiveError(
                f"{package}: membro {shown!r} recusado: nome {same} no pacote "
                "(um extrator usaria uma cópia, a verificação outra)"
            )
        seen[key] = info.filename
        if info.flag_bits & 0x41:
            raise ArchiveError(f"{package}: membro {shown!r} recusado: criptografado")
        if info.compress_type not in ACCEPTED_METHODS:
            raise ArchiveError(
                f"{package}: membro {shown!r} recusado: método de compressão {info.compress_type} não aceito "
                "(só sem compressão ou deflate)"
            )
        if info.is_dir():
            continue
        cap = limits.manifest_bytes if info.filename == MANIFEST_NAME else limits.member_bytes
        if info.file_size > cap:
            raise ArchiveError(
                f"{package}: membro {shown!r} recusado: {_mib(info.file_size)} descompactado, acima do limite "
                f"de {_mib(cap)}"
            )
        total += info.file_size
        if total > limits.total_bytes:
            raise ArchiveError(
                f"{package}: membro {shown!r} recusado: o pacote passa de {_mib(limits.total_bytes)} descompactado"
            )


def _hash_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, package: str) -> str:
    digest = hashlib.sha256()
    read = 0
    with zf.open(info) as source:
        for chunk in _chunks(source):
            read += len(chunk)
            if read > info.file_size:  # never trust the data to stop where the header says
                raise ArchiveError(f"{package}: membro {info.filename!r} maior que o tamanho declarado")
            digest.update(chunk)
    return digest.hexdigest()


def _manifest(data: bytes, package: str, limits: Limits) -> dict[str, Any]:
    manifest = _parse_json(data, MANIFEST_NAME, package)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("arquivos"), dict):
        raise ArchiveError(f"{package}: {MANIFEST_NAME} sem a lista de arquivos")
    listed = manifest["arquivos"]
    if len(listed) > limits.manifest_entries:
        raise ArchiveError(
            f"{package}: {MANIFEST_NAME} com {len(listed)} arquivos, acima do limite de {limits.manifest_entries}"
        )
    if not all(isinstance(v, str) for v in listed.values()):
        raise ArchiveError(f"{package}: {MANIFEST_NAME} malformado: hash de arquivo que não é texto")
    for key, kind in _MANIFEST_FIELDS.items():
        if manifest.get(key) is not None and not isinstance(manifest[key], kind):
            raise ArchiveError(f"{package}: {MANIFEST_NAME} malformado: campo {key!r} de tipo errado")
    for key, inner in (("regras", None), ("carga", "falhas")):
        value = manifest.get(key) or {}
        items = value.values() if inner is None else [value.get(inner) or {}]
        if not all(isinstance(item, dict) for item in items):
            raise ArchiveError(f"{package}: {MANIFEST_NAME} malformado: campo {key!r} de tipo errado")
    return manifest


def open_archive(path: str | Path, limits: Limits = LIMITS) -> Archive:
    """Open, check and hash a package; :class:`ArchiveError` (pt-BR) when it is unreadable or refused."""
    path = Path(path)
    package = path.name
    try:
        with path.open("rb") as fp:
            _directory_size(fp, package, limits)
            with zipfile.ZipFile(fp) as zf:
                infos = zf.infolist()
                check_structure(infos, package, limits)
                hashes: dict[str, str] = {}
                manifest_data: bytes | None = None
                for info in infos:
                    if info.is_dir():
                        continue
                    if info.filename == MANIFEST_NAME:
                        manifest_data = _read_capped(zf, info, limits.manifest_bytes, package)
                        continue
                    try:
                        hashes[info.filename] = _hash_member(zf, info, package)
                    except _READ_ERRORS as exc:
                        raise ArchiveError(f"{package}: membro {info.filename!r} ilegível ({reason(exc)})") from None
    except ArchiveError:
        raise
    except FileNotFoundError:
        raise ArchiveError(f"pacote não encontrado: {path}") from None
    except IsADirectoryError:
        raise ArchiveError(f"{path} é uma pasta, não um pacote zip") from None
    except _READ_ERRORS as exc:
        raise ArchiveError(f"{path}: não é um pacote zip legível ({reason(exc)})") from None
    if manifest_data is None:
        raise ArchiveError(f"{package}: pacote sem {MANIFEST_NAME}")
    return Archive(path, hashes, _manifest(manifest_data, package, limits), limits)
