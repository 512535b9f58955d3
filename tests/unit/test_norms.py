"""Exact norms, the explicit peel-network norm bound, power-of-two rescaling, the norm-bound claim."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from nncert.constructions.memorize import peel
from nncert.constructions.memorize_bounds import bound_from_parts, norm_bound, rescale_pow2
from nncert.core import Certificate, Network
from nncert.data import from_arrays, load_bundled
from nncert.errors import ConflictingLabels, InvalidArgument
from nncert.proofs.claims.p1_norm_bound import certify, check
from nncert.verify.exact import check_classification
from nncert.verify.norms import norms

F = Fraction


def test_norms_by_hand():
    net = Network.from_rows([[[1, -2], ["1/2", 0]], [[3, "-1/3"]]], [[1, -1], [2]])
    r = norms(net)
    # weights: 1 + 4 + 1/4 + 0 = 21/4 and 9 + 1/9 = 82/9; biases: 1 + 1 = 2 and 4
    assert r.layer_frobenius_sq == (F(21, 4), F(82, 9))
    assert r.layer_bias_sq == (F(2), F(4))
    assert r.sum_squares_weights == F(21, 4) + F(82, 9)
    assert r.sum_squares == F(21, 4) + F(82, 9) + 6
    assert r.max_abs == 3


def test_norms_rejects_non_network():
    with pytest.raises(InvalidArgument, match="expects a Network"):
        norms([[1]])


def test_bound_formula_by_hand():
    # u = (1), s = 2, z = (2, 3), labels (0, 1): r1 = 2, r2 = 0, L = 2, Z = 3, delta0 = 1, Z^2/delta0^2 = 9.
    b = bound_from_parts([F(1)], F(2), [F(2), F(3)], [0, 1], 2)
    head = 2 * 1 + 4 + 25 + 1
    assert b.bound == head + 1 * (2 + 9) + 2 * (4 * 2 * 9)
    assert b.bound_generic == head + 1 * (2 + 9) + 2 * (1 + 16 * 9)


def test_peel_network_norm_by_hand_and_bound():
    ds = from_arrays([[0], [1], [2]], [0, 1, 0])
    res = peel(ds, direction=[1])
    # z = (2, 3, 4); peel from the top: q = 4 (label 0), p = 3: t = 7/2, c = (0-4)/(1/2) = -8;
    # q = 3 (label 1), p = 2: t = 5/2, c = (1-3)/(1/2) = -4; q = 2 (label 0), p = 1: t = 3/2, c = -4.
    assert res.thresholds == (F(7, 2), F(5, 2), F(3, 2)) and res.slopes == (F(-8), F(-4), F(-4))
    # layer 1: u=(1,1) -> 2, biases 2 and 2 - 7/2: 4 + 9/4; layer 2: (1,-8),(1,-8) -> 130, bias 25/4;
    # layer 3: (1,-4),(1,-4) -> 34, bias 9/4; output (1,-4) -> 17.
    expected = 2 + 4 + F(9, 4) + 130 + F(25, 4) + 34 + F(9, 4) + 17
    assert norms(res.network).sum_squares == expected
    b = norm_bound(res)
    assert (b.z_max, b.delta, b.runs_single, b.runs_multi, b.layers) == (4, 1, 3, 0, 3)
    assert expected <= b.bound <= b.bound_generic


@pytest.mark.parametrize("name", ["iris", pytest.param("digits", marks=pytest.mark.slow)])
def test_norm_bound_claim_on_bundled_data(name):
    cert = certify(load_bundled(name))
    v = check(Certificate.loads(cert.dumps()))
    assert v.holds, v.summary()


def test_claim_detects_tampering():
    cert = certify(from_arrays([[0, 1], [1, 0], [2, 2], [3, 1]], [0, 1, 1, 0]))
    obj = json.loads(cert.dumps())
    obj["params"]["B"] = "1"
    assert check(Certificate.from_json(obj)).status.value == "REFUTED"
    obj = json.loads(cert.dumps())
    obj["witness"]["network"]["biases"][-1][0] = "1"  # no longer classifies
    assert check(Certificate.from_json(obj)).status.value == "REFUTED"


def test_rescale_is_function_preserving_and_shrinks_iris():
    ds = load_bundled("iris")
    net = peel(ds).network
    small, exps = rescale_pow2(net)
    assert len(exps) == net.depth
    assert norms(small).sum_squares * 1000 < norms(net).sum_squares
    assert check_classification(small, ds.points, ds.labels).verdict.holds
    for x in ([F(0)] * 4, [F(-7), F(3, 2), F(100), F(1, 3)]):
        assert small(x) == net(x)


def test_bad_input():
    for X, y in (([[0, 0], [1, 1]], [2, 2]), ([[4]], [0])):  # single class, one point
        cert = certify(from_arrays(X, y))
        assert cert.params["B"] == "0" and check(cert).holds
    cert = certify(from_arrays([[0, 0], [1, 1], [2, 2], [3, 3]], [0, 1, 0, 1]))  # collinear
    assert check(cert).holds
    with pytest.raises(ConflictingLabels):
        from_arrays([[1, 1], [1, 1]], [0, 1])
    with pytest.raises(InvalidArgument, match="not distinct"):
        bound_from_parts([F(1)], F(0), [F(1), F(1)], [0, 1], 2)


def test_cli_norms(tmp_path, capsys):
    from nncert.cli.main import main
    from nncert.proofs import check_certificate

    data = tmp_path / "d.csv"
    data.write_text("x1,x2,label\n0,0,a\n1,2,b\n3,1,a\n2,2,b\n")
    assert main(["norms", str(data), "--out", str(tmp_path), "--lambdas", "0.1,1/1000"]) == 0
    text = capsys.readouterr().out
    assert "norm bound check       : HOLDS" in text and "regularized bounds check: HOLDS" in text
    for f in ("d.norm_bound.cert.json", "d.regularized.cert.json"):
        assert check_certificate(Certificate.load(str(tmp_path / f))).holds
    assert main(["norms", str(data), "--lambdas", "0"]) == 2
    assert "error: --lambdas must be positive" in capsys.readouterr().err
