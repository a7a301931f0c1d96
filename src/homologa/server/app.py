"""The HTTP side (aiohttp): ``POST /clientes``, ``GET /saude``, the access log and the transport-level faults.

aiohttp because it was measured level with uvicorn + Starlette and granian here (see the README, section
*Distribuidor de referência*), is already a dependency, and runs in a background thread with its own event loop,
which is how tests and the pytest plugin start the server in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import time
import zlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from homologa.contract import ContractPack
from homologa.model import CadastroCliente
from homologa.server import business, wire
from homologa.server.business import Outcome
from homologa.server.collapse import Collapse
from homologa.server.config import ServerConfig
from homologa.server.guard import Guard, name_server
from homologa.server.memory import Trimmer
from homologa.server.store import StoreBusy
from homologa.server.writer import WriterClosed

access_log = logging.getLogger("homologa.server.acesso")
log = logging.getLogger("homologa.server")

Submit = Callable[[CadastroCliente], Awaitable[Outcome]]
DRIP_INTERVAL = 0.5
RETRY_AFTER = "1"
OFFLOAD_BODY = 64 << 10  # a valid CadastroCliente is ~1 KiB; bigger bodies are parsed off the event loop
# fields the handler adds to this request's access-log line (one dict per request task)
_ACCESS: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("acesso")
CLOSING: web.AppKey[asyncio.Event] = web.AppKey("closing", asyncio.Event)


def _answer(answer: wire.Answer) -> web.Response:
    return web.Response(body=answer.body, status=answer.http_status, headers={"Content-Type": answer.content_type})


def _drop_connection(request: web.Request) -> web.Response:
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError  # nothing can be written any more


@web.middleware
async def _log_access(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> Any:
    started = time.perf_counter()
    info: dict[str, Any] = {}
    _ACCESS.set(info)
    status = 0
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        info.setdefault("falha", "conexao-encerrada")
        raise
    finally:
        if access_log.isEnabledFor(logging.INFO):
            line = {
                "quando": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "metodo": request.method,
                "caminho": request.path,
                "http": status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                **info,
            }
            access_log.info(json.dumps(line, ensure_ascii=False))


class ClientesHandler:
    """``POST /clientes``: read, validate, decide (through ``submit``), answer."""

    def __init__(self, cfg: ServerConfig, pack: ContractPack, submit: Submit, trimmer: Trimmer) -> None:
        self.cfg = cfg
        self.pack = pack
        self.submit = submit
        self.trimmer = trimmer
        self.collapse = Collapse()  # the "colapsa" fault's counters

    async def handle(self, request: web.Request) -> web.StreamResponse:
        cfg = self.cfg
        info = _ACCESS.get()
        if request.content_length is not None and request.content_length > cfg.max_body:
            return self._too_large(info)
        large = request.content_length is None or request.content_length > OFFLOAD_BODY
        if large:
            self.trimmer.begin()  # once the last large body is done, freed memory goes back to the OS
        try:
            try:
                if request.content.is_eof():  # the whole body came with the headers (the common case): no timer
                    body = await request.read()
                else:
                    async with asyncio.timeout(cfg.body_timeout):
                        body = await request.read()
            except web.HTTPRequestEntityTooLarge:
                return self._too_large(info)
            except TimeoutError:
                return self._too_slow(info)
            return await self._answer(request, body, info)
        finally:
            if large:
                self.trimmer.end()

    async def _answer(self, request: web.Request, body: bytes, info: dict[str, Any]) -> web.StreamResponse:
        cfg = self.cfg
        if cfg.faults:
            closing = request.app[CLOSING]
            if cfg.has("trava"):
                info["falha"] = "trava"
                await closing.wait()
                return _drop_connection(request)
            if cfg.has("derruba-conexao"):
                info["falha"] = "derruba-conexao"
                return _drop_connection(request)
            if cfg.has("http500"):
                info["falha"] = "http500"
                return web.Response(status=500, text="Internal Server Error")
        if len(body) > OFFLOAD_BODY:  # a big (so hostile) body: explaining it may take long, keep the loop free
            parsed = await asyncio.get_running_loop().run_in_executor(None, wire.read, body, self.pack, request.headers)
        else:
            parsed = wire.read(body, self.pack, request.headers)
        if isinstance(parsed, Outcome):
            info["erro"] = parsed.retorno.erro_codigo
            return _answer(wire.render(parsed, cfg))
        msg = parsed
        info["cnpj"] = msg.cliente.cnpj
        if cfg.has("http503-as-vezes") and zlib.crc32(msg.cliente.cnpj.encode()) % 10 == 0:
            info["falha"] = "http503-as-vezes"
            return web.Response(status=503, text="Service Unavailable", headers={"Retry-After": "1"})
        outcome = business.reject(msg, cfg)
        if outcome is None:
            try:
                outcome = await self.submit(msg)
            except WriterClosed:
                outcome = wire.bad_request("INDISPONIVEL", "Servidor encerrando; reenvie.", msg.id_mensagem, "", 503)
            except StoreBusy:
                info["erro"] = "BANCO-OCUPADO"
                busy = wire.bad_request(
                    "BANCO-OCUPADO",
                    f"Banco de dados ocupado por outro processo por mais de {cfg.db_wait:g} s; reenvie.",
                    msg.id_mensagem,
                    "",
                    503,
                )
                answer = wire.render(busy, cfg)
                return web.Response(
                    body=answer.body,
                    status=503,
                    headers={"Content-Type": answer.content_type, "Retry-After": RETRY_AFTER},
                )
            except Exception as exc:
                log.error("falha ao processar %s: %s", msg.cliente.cnpj, exc)
                outcome = wire.bad_request("ERRO-INTERNO", "Falha ao gravar o cadastro; reenvie.", "", "", 500)
        info["status"] = outcome.retorno.status or outcome.retorno.erro_codigo
        answer = wire.render(outcome, cfg)
        if cfg.faults:
            closing = request.app[CLOSING]
            if cfg.has("lento"):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(closing.wait(), cfg.fault_delay)
            if cfg.has("colapsa"):
                await self.collapse.wait(closing)
            if cfg.has("goteja"):
                return await self._drip(request, answer, closing)
        return _answer(answer)

    def _too_large(self, info: dict[str, Any]) -> web.Response:
        info["erro"] = "CORPO-GRANDE"
        outcome = wire.bad_request(
            "CORPO-GRANDE", f"Corpo do pedido maior que o limite de {self.cfg.max_body} bytes.", http_status=413
        )
        response = _answer(wire.render(outcome, self.cfg))
        response.force_close()
        return response

    def _too_slow(self, info: dict[str, Any]) -> web.Response:
        info["erro"] = "CORPO-LENTO"
        outcome = wire.bad_request(
            "CORPO-LENTO", f"Corpo do pedido não chegou em {self.cfg.body_timeout:g} s; reenvie.", http_status=408
        )
        response = _answer(wire.render(outcome, self.cfg))
        response.force_close()
        return response

    async def _drip(self, request: web.Request, answer: wire.Answer, closing: asyncio.Event) -> web.StreamResponse:
        response = web.StreamResponse(status=answer.http_status, headers={"Content-Type": answer.content_type})
        response.content_length = len(answer.body)
        await response.prepare(request)
        for i in range(len(answer.body)):
            await response.write(answer.body[i : i + 1])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(closing.wait(), DRIP_INTERVAL)
            if closing.is_set():
                return _drop_connection(request)
        await response.write_eof()
        return response


async def _health(request: web.Request) -> web.Response:
    cfg: ServerConfig = request.app[CONFIG]
    state = request.app[WRITE_STATE]
    return web.json_response(
        {
            "status": "ok",
            "contrato": wire.pack_of(cfg.contract).name,
            "persistencia": cfg.persist,
            "escrita": state(),
            "falhas": list(cfg.faults),
        },
        headers={"Cache-Control": "no-store"},
    )


WriteState = Callable[[], str]
CONFIG: web.AppKey[ServerConfig] = web.AppKey("config", ServerConfig)
WRITE_STATE: web.AppKey[WriteState] = web.AppKey("escrita")


def build_app(
    cfg: ServerConfig,
    pack: ContractPack,
    submit: Submit,
    closing: asyncio.Event,
    *,
    guard: Guard | None = None,
    trimmer: Trimmer | None = None,
    write_state: WriteState | None = None,
) -> web.Application:
    middlewares = [_log_access] if guard is None else [guard.middleware, _log_access]
    app = web.Application(middlewares=middlewares, client_max_size=cfg.max_body)
    if guard is None:
        app.on_response_prepare.append(name_server)  # the guard's middleware names the server otherwise
    app[CONFIG] = cfg
    app[CLOSING] = closing
    app[WRITE_STATE] = write_state or (lambda: "ok" if cfg.persist else "sem-persistencia")
    app.router.add_post("/clientes", ClientesHandler(cfg, pack, submit, trimmer or Trimmer()).handle)
    app.router.add_get("/saude", _health)
    return app
