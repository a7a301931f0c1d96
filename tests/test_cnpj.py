from __future__ import annotations

import pytest
from validate_docbr import CNPJ

from homologa import cnpj


@pytest.mark.parametrize(
    ("body", "digits"),
    [
        ("112223330001", "81"),  # numeric example of the Receita Federal
        ("12ABC34501DE", "35"),  # alphanumeric example of the Receita Federal (IN RFB 2.229/2024)
    ],
)
def test_check_digits_match_published_examples(body: str, digits: str) -> None:
    assert cnpj.check_digits(body) == digits


def test_agrees_with_validate_docbr_on_many_bodies() -> None:
    oracle = CNPJ()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for i in range(2000):
        body = "".join(alphabet[(i * 7919 + k * 104729) % len(alphabet)] for k in range(12))
        full = cnpj.complete(body)
        assert oracle.validate(full), full
        wrong = full[:12] + f"{(int(full[12:]) + 1) % 100:02d}"
        assert not cnpj.is_valid(wrong)


@pytest.mark.parametrize("text", ["", "1122233300018", "11.222.333/0001-81", "abcdefghijkl81", "11222333000181X"])
def test_rejects_malformed(text: str) -> None:
    assert not cnpj.is_valid(text)


def test_bad_body_raises_with_pt_br_message() -> None:
    with pytest.raises(ValueError, match="raiz de CNPJ inválida"):
        cnpj.check_digits("abc")
