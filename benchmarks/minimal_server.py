"""Baseline for bench_server.py: the same stack (aiohttp, one worker) answering a fixed body, reading the request
body but doing nothing with it. Usage: python benchmarks/minimal_server.py PORT"""

from __future__ import annotations

import sys

from aiohttp import web

BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<RetornoCadastroCliente xmlns="urn:b2b:homologacao:cliente:v1">'
    b"<IdMensagem>00000000-0000-4000-8000-000000000000</IdMensagem><CNPJ>11222333000181</CNPJ>"
    b"<Status>PEN</Status></RetornoCadastroCliente>\n"
)


async def clientes(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=BODY, headers={"Content-Type": "application/xml; charset=UTF-8"})


def main() -> None:
    app = web.Application()
    app.router.add_post("/clientes", clientes)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
