"""What may be shown of a target and a command line: every query value, a bare query key, the fragment and the
password are masked, also in ``--target=URL``; what is masked is exactly what the secret scan looks for."""

from __future__ import annotations

import pytest

from homologa.secrets import mask_url, url_secrets
from homologa.suite.evidence import shown_args


@pytest.mark.parametrize(
    ("url", "shown", "secrets"),
    [
        ("http://u:pw99@h:1/c?token=QTOKEN&f=7", "http://u:***@h:1/c?token=***&f=***", {"pw99", "QTOKEN", "7"}),
        ("http://h/c?BAREKEY987654", "http://h/c?***", {"BAREKEY987654"}),
        ("http://h/c?a=1&CHAVE", "http://h/c?a=***&***", {"1", "CHAVE"}),
        ("http://h/c?k=p%40ss#frag-secreto", "http://h/c?k=***#***", {"p%40ss", "p@ss", "frag-secreto"}),
        ("https://erp.exemplo/clientes", "https://erp.exemplo/clientes", set()),
    ],
)  # fmt: skip
def test_mask_url_hides_exactly_what_url_secrets_lists(url: str, shown: str, secrets: set[str]) -> None:
    assert mask_url(url) == shown
    assert set(url_secrets(url)) == secrets
    assert not any(secret in mask_url(url) for secret in secrets)


def test_command_line_masks_urls_in_both_option_spellings() -> None:
    target = "http://user:s3cr3tPW@127.0.0.1:9/c?token=QTOKEN123"
    args = [
        "suites",
        f"--target={target}",
        "--target",
        target,
        "--homologa-bearer",
        "tok-abc-123",
        "--homologa-basic-auth=u:pw-xyz",
    ]
    shown = shown_args(args, ["s3cr3tPW", "QTOKEN123", "tok-abc-123", "pw-xyz"])
    text = " ".join(shown)
    for secret in ("s3cr3tPW", "QTOKEN123", "tok-abc-123", "pw-xyz"):
        assert secret not in text
    assert shown[1] == "--target=http://user:***@127.0.0.1:9/c?token=***"
