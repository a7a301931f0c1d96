"""The "Homologação" tab of Locust's web UI: the live tally and the verdict, and the parameters in their order.

Imports locust/flask (monkey-patched process): only ``loadtests/locustfile.py`` imports this module (through
:func:`homologa.load.locust_runtime.install`). Uses Locust's documented extension points: ``extended_tabs`` and
``extended_tables`` in the web UI's template arguments, and ``extended_stats`` added to the ``/stats/requests``
answer the page polls every 2 s (as Locust's ``examples/extend_web_ui.py`` does).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from locust.env import Environment

from homologa.load.locust_runtime import Runtime

TAB = "homologacao"


def install_web_ui(environment: Environment, runtime: Runtime) -> None:
    web_ui = environment.web_ui
    if web_ui is None or web_ui.app is None:
        return
    app = web_ui.app
    # the parameters in the order settings.OPTIONS gives them (most important first), not alphabetically
    # (Jinja's tojson, which writes the page's template arguments, sorts keys unless told otherwise)
    app.jinja_env.policies["json.dumps_kwargs"] = {"sort_keys": False}
    web_ui.template_args["extended_tabs"] = [{"title": "Homologação", "key": TAB}]
    web_ui.template_args["extended_tables"] = [
        {"key": TAB, "structure": [{"key": "item", "title": "Item"}, {"key": "valor", "title": "Valor"}]}
    ]

    def _with_tally(response: Response) -> Response:
        if request.path != "/stats/requests" or not response.is_json:
            return response
        data: dict[str, Any] = dict(response.get_json() or {})
        extended = [s for s in data.get("extended_stats", []) or [] if s.get("key") != TAB]
        data["extended_stats"] = [*extended, {"key": TAB, "data": runtime.live_rows()}]
        response.set_data(json.dumps(data))
        return response

    app.after_request(_with_tally)
