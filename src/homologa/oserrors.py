"""Why an operating-system call failed, in pt-BR: the one place that turns an ``OSError`` into words a distributor
reads (Python's ``strerror`` is English, e.g. "Is a directory", and would end a pt-BR line in another language)."""

from __future__ import annotations

import errno

_REASONS = {
    errno.ENOENT: "caminho inexistente",
    errno.ENOTDIR: "parte do caminho não é uma pasta",
    errno.EISDIR: "é uma pasta, não um arquivo",
    errno.EEXIST: "já existe",
    errno.EACCES: "sem permissão",
    errno.EPERM: "operação não permitida",
    errno.EROFS: "sistema de arquivos somente leitura",
    errno.ENOSPC: "sem espaço em disco",
    errno.EDQUOT: "cota de disco excedida",
    errno.EMFILE: "arquivos abertos demais neste processo",
    errno.ENFILE: "arquivos abertos demais no sistema",
    errno.ENAMETOOLONG: "nome de arquivo longo demais",
    errno.EBUSY: "recurso ocupado",
    errno.ENOTEMPTY: "a pasta não está vazia",
    errno.EIO: "erro de entrada e saída no disco",
    errno.ELOOP: "links simbólicos em ciclo",
    errno.EXDEV: "origem e destino em sistemas de arquivos diferentes",
}


def why(exc: OSError) -> str:
    """A short pt-BR reason for ``exc``; an error number without a translation is named by its symbol (EXXX)."""
    code = exc.errno
    if code is None:
        return "erro do sistema"
    return _REASONS.get(code, f"erro do sistema {errno.errorcode.get(code, code)}")
