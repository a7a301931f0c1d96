"""Sign-off evidence: the offline Allure report, the one-page summary, and the tamper-evident homologation package.

Library modules (one concern each): :mod:`results` reads Allure results, :mod:`tally` the load tally,
:mod:`verdict` the per-rule and overall verdict, :mod:`summary` writes ``resumo.md``/``resumo.html``,
:mod:`allure_cli` runs the Allure CLI, :mod:`sanitize` strips outside requests from the report, :mod:`manifest`
and :mod:`package` build the zip, :mod:`verify` and :mod:`compare` read it back. The ``*command`` modules are the
``homologa`` sub-commands.
"""

from __future__ import annotations
