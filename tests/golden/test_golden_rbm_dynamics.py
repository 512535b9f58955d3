"""Golden random-batch dynamics certificates (issue 6): re-checked every run; the exact one must be reproduced."""

import json
import os

import pytest

from nncert.cli.main import main

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ["rbm_dynamics_dropout_residual_p6", "rbm_dynamics_tv_gaussian"]


@pytest.mark.parametrize("name", NAMES)
def test_golden_certificate_checks(name, capsys):
    assert main(["check", os.path.join(HERE, f"{name}.json")]) == 0
    assert "(overall)" in capsys.readouterr().out


def test_exact_builder_reproduces_golden():
    from tests.golden.regen_rbm_dynamics import build
    name = "rbm_dynamics_dropout_residual_p6"
    with open(os.path.join(HERE, f"{name}.json")) as fh:
        golden = json.load(fh)
    fresh = json.loads(build(name).dumps())
    assert fresh["params"] == golden["params"] and fresh["witness"] == golden["witness"]
