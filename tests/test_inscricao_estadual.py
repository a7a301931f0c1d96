"""Inscrição Estadual: our per-UF rules against the states' published examples and an independent validator."""

from __future__ import annotations

import random

import pytest
from erpbrasil.base.fiscal import ie as oracle

from homologa.generator import inscricao_estadual as ie
from homologa.model import UFS

# Examples published on the SINTEGRA "conferência de inscrições estaduais" pages (and SEFAZ manuals).
PUBLISHED = {
    "AC": "0100482300112", "AL": "240000048", "AM": "999999990", "AP": "030123459", "BA": "100000306",
    "CE": "060000015", "DF": "0730000100109", "ES": "999999990", "GO": "109876547", "MA": "120000385",
    "MG": "0623079040081", "MT": "00130000019", "PA": "159999995", "PB": "060000015", "PE": "032141840",
    "PI": "012345679", "PR": "1234567850", "RJ": "99999993", "RN": "200400401", "RO": "00000000625213",
    "RR": "240066281", "RS": "2243658792", "SC": "251040852", "SE": "271234563", "SP": "110042490114",
    "TO": "290102278",
}  # fmt: skip
OLDER_LAYOUTS = {"BA": "12345663", "RN": "2000400400", "RO": "101625213"}


def test_every_uf_has_a_rule_and_a_validator() -> None:
    assert set(ie.RULES) == set(ie.VALIDATORS) == set(UFS)
    assert all(v.__name__ == f"valida_ie_{uf.lower()}" for uf, v in ie.VALIDATORS.items())


@pytest.mark.parametrize(("uf", "number"), sorted({**PUBLISHED}.items()))
def test_published_examples_are_valid(uf: str, number: str) -> None:
    assert ie.VALIDATORS[uf](number)


@pytest.mark.parametrize(("uf", "number"), sorted(OLDER_LAYOUTS.items()))
def test_older_layouts_still_validate(uf: str, number: str) -> None:
    assert ie.VALIDATORS[uf](number)
    assert oracle.validar(uf.lower(), number)


@pytest.mark.parametrize("uf", UFS)
def test_generated_numbers_are_valid_for_us_and_for_erpbrasil(uf: str) -> None:
    for n in range(0, 3_000_000_000, 1_500_007):
        number = ie.generate(uf, n)
        assert number.isdigit() and 2 <= len(number) <= 14
        assert ie.VALIDATORS[uf](number), number
        assert oracle.validar(uf.lower(), number), number


@pytest.mark.parametrize("uf", UFS)
def test_a_changed_digit_is_rejected(uf: str) -> None:
    for n in range(0, 300_000_000, 1_000_003):
        number = ie.generate(uf, n)
        for pos in range(len(number)):
            wrong = number[:pos] + str((int(number[pos]) + 1) % 10) + number[pos + 1 :]
            if ie.VALIDATORS[uf](wrong):  # a few single-digit changes keep mod-11 sums: the oracle must agree
                assert oracle.validar(uf.lower(), wrong), (number, wrong)
        last = number[:-1] + str((int(number[-1]) + 1) % 10)
        assert not ie.VALIDATORS[uf](last), (number, last)


@pytest.mark.parametrize("uf", UFS)
def test_agrees_with_erpbrasil_on_random_strings(uf: str) -> None:
    """Both validators give the same verdict on random numbers with the UF's length and prefix."""
    rng = random.Random(uf)
    rule = ie.RULES[uf]
    accepted = 0
    for _ in range(3000):
        prefix = rng.choice(rule.prefixes)
        text = prefix + "".join(rng.choice("0123456789") for _ in range(rule.length - len(prefix)))
        ours = ie.VALIDATORS[uf](text)
        accepted += ours
        assert ours == oracle.validar(uf.lower(), text), text
    assert accepted > 0


@pytest.mark.parametrize("text", ["", "ISENTO", "isento", "12.345.678-9", "１２３４５６７８", "0" * 15])
def test_validators_reject_malformed(text: str) -> None:
    assert not any(v(text) for v in ie.VALIDATORS.values())


def test_isento_is_valid_everywhere_and_unknown_uf_is_not() -> None:
    assert all(ie.is_valid(uf, "ISENTO") for uf in UFS)
    assert not ie.is_valid("XX", "110042490114")
