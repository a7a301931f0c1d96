"""The contract suite's machinery: settings, HTTP client, checks, failure messages and Allure evidence.

The pytest plugin (:mod:`homologa.suite.plugin`) wires these into fixtures; the product's test files live in the
repository's ``suites/`` folder. Nothing here imports Locust or gevent.
"""

from __future__ import annotations
