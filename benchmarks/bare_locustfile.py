"""Baseline for bench_load.py: a bare FastHttpUser posting one fixed CadastroCliente, no generation, no checks."""

from __future__ import annotations

from locust import FastHttpUser, constant, task

BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<CadastroCliente xmlns="urn:b2b:homologacao:cliente:v1" versao="1">'
    b"<IdMensagem>00000000-0000-4000-8000-000000000000</IdMensagem>"
    b"<DataHoraEnvio>2026-11-27T12:00:00.000-03:00</DataHoraEnvio><Cliente><CNPJ>11222333000181</CNPJ>"
    b"<InscricaoEstadual>110042490114</InscricaoEstadual><Nome>Mercado Exemplo Ltda</Nome>"
    b"<Email>compras@exemplo.com.br</Email><Telefone>1133334444</Telefone><Endereco><Logradouro>Rua Augusta"
    b"</Logradouro><Numero>100</Numero><Bairro>Consolacao</Bairro><Cidade>Sao Paulo</Cidade><Estado>SP</Estado>"
    b"<CEP>01305000</CEP></Endereco></Cliente></CadastroCliente>\n"
)
HEADERS = {"Content-Type": "application/xml; charset=UTF-8"}


class BareUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def post(self) -> None:
        self.client.post("", data=BODY, headers=HEADERS, name="bare")  # type: ignore[arg-type]
