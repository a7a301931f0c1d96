"""A target's identity: equal for the same endpoint written differently, different for another endpoint."""

from __future__ import annotations

import pytest

from homologa.target import EMBEDDED, canonical_target, target_identity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://ERP.example:80/clientes", "http://erp.example/clientes/"),
        ("https://u:senha@erp.example/clientes?token=abc", "https://erp.example:443/clientes?token=xyz"),
        ("http://erp.example/c?filial=2&b=1", "http://erp.example/c?b=1&filial=2"),
    ],
)
def test_same_endpoint_same_identity(a: str, b: str) -> None:
    assert target_identity(a) == target_identity(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://erp.example/clientes", "https://erp.example/clientes"),
        ("http://erp.example:8080/clientes", "http://erp.example/clientes"),
        ("http://erp.example/clientes", "http://erp.example/clientes-v2"),
        ("http://erp.example/c?filial=1", "http://erp.example/c?filial=2"),
        ("http://erp-a.example/c", "http://erp-b.example/c"),
    ],
)
def test_other_endpoint_other_identity(a: str, b: str) -> None:
    assert target_identity(a) != target_identity(b)


def test_identity_carries_no_secret_and_embedded_is_named() -> None:
    url = "https://usuario:s3nh4@erp.example/clientes?apikey=K3Y-123&filial=2"
    assert "s3nh4" not in canonical_target(url) and "K3Y-123" not in canonical_target(url)
    assert target_identity(None) == EMBEDDED == target_identity("")
