"""Regularized-loss bounds: exact values, claim round trip, tampering, bad input."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from nncert.constructions.memorize_bounds import regularized_bounds
from nncert.core import Certificate
from nncert.data import from_arrays, load_bundled
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs.claims.p1_regularized_loss import certify, check
from nncert.verify.exact import check_classification

F = Fraction


def test_bounds_are_lambda_times_norm_and_theta_star_interpolates():
    ds = from_arrays([[0, 0], [1, 2], [3, 1], [2, 2], [4, 0]], [0, 1, 2, 0, 1])
    rb = regularized_bounds(ds)
    assert check_classification(rb.network, ds.points, ds.labels).verdict.holds
    total = sum((v * v for v in rb.network.parameters()), F(0))
    assert rb.theta_sq == total
    lam = F(3, 10**5)
    assert rb.j_bound(lam) == lam * total
    assert rb.rounding_lambda(ds.n) == 1 / (4 * ds.n * total)
    # lambda below the rounding threshold: N * lambda * ||theta*||^2 < 1/4
    small = rb.rounding_lambda(ds.n) / 2
    assert ds.n * small * rb.theta_sq < F(1, 4)


def test_claim_round_trip_and_tampering():
    cert = certify(load_bundled("iris"), lambdas=[F(1, 10), F(1, 10**6)], budget_s=0.5)
    assert check(Certificate.loads(cert.dumps())).holds
    assert cert.params["training_loss"] == "0"
    obj = json.loads(cert.dumps())
    obj["params"]["lambdas"][1]["J_bound"] = "1/1000000"
    assert check(Certificate.from_json(obj)).status.value == "REFUTED"
    obj = json.loads(cert.dumps())
    obj["witness"]["network"]["biases"][-1][0] = "1/2"   # shifts every output: loss > 0
    v = check(Certificate.from_json(obj))
    assert v.status.value == "REFUTED" and "interpolates" in v.reason
    obj = json.loads(cert.dumps())
    obj["params"]["lambdas"][0]["lambda"] = "-1"
    with pytest.raises(InvalidCertificate):
        check(Certificate.from_json(obj))


def test_bad_input():
    with pytest.raises(InvalidArgument, match="positive"):
        certify(from_arrays([[0], [1]], [0, 1]), lambdas=[F(0)])
    one_class = certify(from_arrays([[0, 1], [2, 3]], [5, 5]))
    assert one_class.params["theta_sq"] == "0" and check(one_class).holds
    one_point = certify(from_arrays([[7, 7]], ["a"]))
    assert check(one_point).holds
    collinear = certify(from_arrays([[0, 0], [1, 1], [2, 2]], [1, 0, 1]))
    assert check(collinear).holds and collinear.params["theta_sq"] != "0"


def test_experiment_regularized_small_run(tmp_path, capsys):
    import csv

    from nncert.cli.main import main

    data = tmp_path / "d.csv"
    data.write_text("x1,x2,label\n0,0,a\n1,2,b\n3,1,c\n2,2,a\n4,0,b\n")
    out = tmp_path / "out"
    assert main(["experiment", "regularized", str(data), "--out", str(out), "--seeds", "2", "--steps", "30",
                 "--lambda-max", "1e-2", "--lambda-min", "1e-3"]) == 0
    for f in ("regularized.png", "regularized_runs.csv", "regularized_summary.csv", "regularized_loss.cert.json"):
        assert (out / f).stat().st_size > 0
    cert = Certificate.load(str(out / "regularized_loss.cert.json"))
    assert check(cert).holds
    with open(out / "regularized_summary.csv") as fh:
        summary = list(csv.DictReader(fh))
    assert [r["lambda"] for r in summary] == ["1/100", "1/1000"]
    theta = F(cert.params["theta_sq"])
    assert [F(r["bound_lambda_theta_star_sq_exact"]) for r in summary] == [theta / 100, theta / 1000]
    with open(out / "regularized_runs.csv") as fh:
        assert len(list(csv.DictReader(fh))) == 4


def test_experiment_regularized_bad_input(tmp_path, capsys):
    from nncert.cli.main import main

    data = tmp_path / "one.csv"
    data.write_text("x,label\n0,a\n1,a\n")
    assert main(["experiment", "regularized", str(data), "--out", str(tmp_path / "o")]) == 2
    assert "at least two classes" in capsys.readouterr().err
    assert main(["experiment", "regularized", "iris", "--lambda-min", "1", "--lambda-max", "1e-3",
                 "--out", str(tmp_path / "o")]) == 2
