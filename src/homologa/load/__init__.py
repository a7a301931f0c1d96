"""The go-live burst: every customer of the CEP ranges sent exactly once, every answer checked.

Two kinds of modules live here, and the split matters:

* **pure** (``plan``, ``tally``, ``checks``, ``shapes``, ``settings``, ``scenario``): standard library and the
  contract core only. The pytest plugin, the CLI and the unit tests may import them.
* **Locust-bound** (``locust_*``): they import ``locust``/``gevent``, whose import monkey-patches the standard
  library. Only ``loadtests/locustfile.py`` and the benchmarks import them; nothing that runs inside a pytest
  process ever does.
"""

from __future__ import annotations
