"""Near-zero-work contract v1 server for bench_load.py: HTTP/1.1 keep-alive on raw asyncio, answers PEN echoing
the request's IdMensagem and CNPJ (found with bytes.find, no XML parsing), so every answer of the load profile
passes its checks. Usage: python benchmarks/echo_server.py PORT"""

from __future__ import annotations

import asyncio
import sys

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=UTF-8\r\nContent-Length: %d\r\n\r\n"
BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<RetornoCadastroCliente xmlns="urn:b2b:homologacao:cliente:v1">'
    b"<IdMensagem>%s</IdMensagem><CNPJ>%s</CNPJ><Status>PEN</Status></RetornoCadastroCliente>\n"
)


def between(data: bytes, start: bytes, end: bytes) -> bytes:
    i = data.find(start)
    if i < 0:
        return b""
    i += len(start)
    return data[i : data.find(end, i)]


class Echo(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].lower()
            length = int(between(head + b"\r\n", b"content-length:", b"\r\n").strip() or 0)
            total = head_end + 4 + length
            if len(self.buffer) < total:
                return
            body, self.buffer = self.buffer[head_end + 4 : total], self.buffer[total:]
            answer = BODY % (between(body, b"<IdMensagem>", b"<"), between(body, b"<CNPJ>", b"<"))
            self.transport.write(HEAD % len(answer) + answer)  # type: ignore[attr-defined]


async def main(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
