"""Golden approximation certificates (issue 4): re-checked every run, and the construction must still produce them."""

import json
import os

import pytest

from nncert.cli.main import main

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = {"approximation_abs_p2": "P1.approximation.lp_width_d_plus_1",
         "approximation_sobolev_sin_p2": "P1.approximation.sobolev_depth",
         "approximation_vector_p1": "P1.approximation.vector_valued"}


@pytest.mark.parametrize("name", sorted(NAMES))
def test_golden_certificate_checks(name, capsys):
    assert main(["check", os.path.join(HERE, f"{name}.json")]) == 0
    assert f"HOLDS    {NAMES[name]} (overall)" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(NAMES))
def test_construction_reproduces_golden(name):
    from tests.golden.regen_approximation import build
    with open(os.path.join(HERE, f"{name}.json")) as fh:
        golden = json.load(fh)
    new = build(name).to_json()
    for key in ("claim", "params", "witness", "admitted"):
        assert new[key] == golden[key], key
