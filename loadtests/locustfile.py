"""homologa — a rajada do go-live: todos os clientes das faixas de CEP, cada um exatamente uma vez.

    locust -f loadtests/locustfile.py                      # interface web em http://127.0.0.1:8089
    locust -f loadtests/locustfile.py --headless --host URL --cep-range 01000000-19999999 --customers 100000

The code lives in ``homologa.load``; this file only wires it into Locust.
"""

from __future__ import annotations

from typing import Any

from locust import events
from locust.env import Environment

from homologa.load.locust_options import add_arguments
from homologa.load.locust_runtime import install
from homologa.load.locust_shapes import BurstShape
from homologa.load.locust_user import CadastroUser

__all__ = ["BurstShape", "CadastroUser"]


@events.init_command_line_parser.add_listener
def _arguments(parser: Any) -> None:
    add_arguments(parser)


@events.init.add_listener
def _init(environment: Environment, **_: Any) -> None:
    install(environment)
