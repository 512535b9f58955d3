"""Golden random-batch certificates (issue 5): re-checked every run; the builders must still produce them."""

import json
import os

import pytest

from nncert.cli.main import main

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ["rbm_unbiasedness_p4", "rbm_variance_identities_p4", "rbm_bernoulli_dropout_p3", "rbm_optimal_h_default",
         "rbm_batch_design_default"]


@pytest.mark.parametrize("name", NAMES)
def test_golden_certificate_checks(name, capsys):
    assert main(["check", os.path.join(HERE, f"{name}.json")]) == 0
    assert "(overall)" in capsys.readouterr().out


@pytest.mark.parametrize("name", NAMES)
def test_builders_reproduce_golden(name):
    from tests.golden.regen_rbm import build
    with open(os.path.join(HERE, f"{name}.json")) as fh:
        golden = json.load(fh)
    fresh = json.loads(build(name).dumps())
    assert fresh["params"] == golden["params"] and fresh["witness"] == golden["witness"]
