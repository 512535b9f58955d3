"""Exact box verification (issue 8): acceptance 1 (|x0 - x1| on [0,1]^2), bounds, solvers, VNN-LIB, CLI."""

import re
from fractions import Fraction

import numpy as np
import pytest

from nncert.cli.main import main
from nncert.core import Certificate, Network, Status
from nncert.data import load_bundled
from nncert.errors import InvalidArgument
from nncert.interop import save_onnx
from nncert.verify.decision import margin, predict
from nncert.verify.robustness import (
    CVC5_UNSAT,
    Z3_UNSAT,
    Box,
    bound_query,
    check_counterexample,
    class_query,
    interval_bounds,
    query_smtlib,
    to_vnnlib,
    verify,
)

ABS = Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])
UNIT = Box.of([0, 0], [1, 1])
EPS = Fraction(1, 10**11)


# ---------------------------------------------------------------------------- acceptance 1
@pytest.mark.parametrize("bound_proofs", [True, False])
def test_abs_diff_is_at_most_one(bound_proofs):
    r = verify(ABS, bound_query(UNIT, 0, "<=", 1, 1), bound_proofs=bound_proofs)
    assert r.verdict.status is Status.HOLDS
    if bound_proofs:
        assert r.verdict.admitted == () and "bound propagation" in r.methods[0]
    else:  # the solver route: z3 unsat, re-checked by cvc5 on the plain encoding
        assert set(r.verdict.admitted) == {Z3_UNSAT, CVC5_UNSAT}
        assert "cvc5 unsat (plain encoding)" in r.methods[0]


@pytest.mark.parametrize("try_points", [True, False])
def test_abs_diff_bound_minus_1e_11_is_refuted_exactly(try_points):
    q = bound_query(UNIT, 0, "<=", 1 - EPS, 1)
    r = verify(ABS, q, try_points=try_points)
    assert r.verdict.status is Status.REFUTED
    x = r.counterexample
    # independent exact check: in the box and |x0 - x1| > 1 - 1e-11
    assert all(0 <= v <= 1 for v in x)
    assert abs(x[0] - x[1]) > 1 - EPS
    assert check_counterexample(ABS, q, x).status is Status.REFUTED
    assert r.verdict.counterexample["violates"] == f"y0 <= {1 - EPS}"


def test_strict_bound_on_the_boundary():
    # y < 1 fails exactly at the corners (y = 1), y <= 1 holds: the exact checker tells them apart
    assert verify(ABS, bound_query(UNIT, 0, "<", 1, 1)).verdict.status is Status.REFUTED
    assert verify(ABS, bound_query(UNIT, 0, ">=", 0, 1), bound_proofs=False).verdict.status is Status.HOLDS
    assert verify(ABS, bound_query(UNIT, 0, ">", 0, 1)).verdict.status is Status.REFUTED  # x0 = x1


def test_counterexample_checker_rejects_points_that_prove_nothing():
    q = bound_query(UNIT, 0, "<=", 1 - EPS, 1)
    assert check_counterexample(ABS, q, ["1/2", "1/2"]).status is Status.UNKNOWN   # satisfies the bound
    assert check_counterexample(ABS, q, [2, 0]).status is Status.UNKNOWN           # outside the box


# ---------------------------------------------------------------------------- bounds and encodings
def test_interval_bounds_contain_exact_values_and_fix_stable_neurons():
    rng = np.random.default_rng(5)
    net = Network.from_rows([rng.integers(-3, 4, size=(4, 2)).tolist(), rng.integers(-3, 4, size=(3, 4)).tolist(),
                             rng.integers(-3, 4, size=(2, 3)).tolist()],
                            [rng.integers(-3, 4, size=4).tolist(), rng.integers(-3, 4, size=3).tolist(),
                             rng.integers(-3, 4, size=2).tolist()])
    box = Box.of(["-1/2", "1/4"], ["1/3", 1])
    b = interval_bounds(net, box)
    for _ in range(200):
        x = [Fraction(int(rng.integers(0, 97)), 96) * (hi - lo) + lo for lo, hi in zip(box.lo, box.hi)]
        h = x
        for k, (w, bias) in enumerate(zip(net.weights, net.biases)):
            pre = [sum((wi * hi for wi, hi in zip(row, h)), bi) for row, bi in zip(w, bias)]
            assert all(lo <= p <= hi for p, (lo, hi) in zip(pre, b.pre[k]))
            h = [max(p, Fraction(0)) for p in pre]


def test_smtlib_fixes_stable_units():
    box = Box.of(["9/10", 0], [1, "1/10"])  # x0 - x1 > 0 everywhere: unit 0 active, unit 1 inactive
    text = query_smtlib(ABS, box, bound_query(box, 0, "<=", 1, 1).conjuncts[0], interval_bounds(ABS, box))
    assert "h0_0" not in text and "h0_1" not in text
    plain = query_smtlib(ABS, box, bound_query(box, 0, "<=", 1, 1).conjuncts[0])
    assert "(or (= h0_0 0.0) (= h0_0 p0_0))" in plain


# ---------------------------------------------------------------------------- class robustness
def test_class_robustness_argmax():
    net = Network.from_rows([[[1, 0], [0, 1]]], [[0, 0]])  # y = x: class = larger coordinate
    assert verify(net, class_query(net, ["0.6", "0.4"], "1/10", )).verdict.status is Status.REFUTED  # touches x0=x1
    assert verify(net, class_query(net, ["0.6", "0.4"], "0.099")).verdict.status is Status.HOLDS
    tie = verify(net, class_query(net, ["1/2", "1/2"], "1/1000"))  # on the boundary: no class at the point
    assert tie.verdict.status is Status.REFUTED and tie.counterexample == (Fraction(1, 2), Fraction(1, 2))


def test_class_robustness_of_a_memorization_network_via_solver():
    from nncert.constructions.memorize import peel

    data = load_bundled("iris")
    net = peel(data).network
    x = data.points[0]
    r = verify(net, class_query(net, x, "1/1000"), try_points=False, bound_proofs=False)
    assert r.verdict.status in (Status.HOLDS, Status.REFUTED)
    if r.verdict.status is Status.REFUTED:
        y = net(r.counterexample)
        assert predict(y, "nearest") != data.labels[0]
    big = verify(net, class_query(net, x, "1"))  # radius 1 reaches other classes
    assert big.verdict.status is Status.REFUTED
    assert margin(net(big.counterexample), data.labels[0], "nearest") <= 0


def test_bad_queries():
    with pytest.raises(InvalidArgument, match="radius must be > 0"):
        Box.around([0, 0], 0)
    with pytest.raises(InvalidArgument, match="radius must be > 0"):
        Box.around([0, 0], "-1/100")
    with pytest.raises(InvalidArgument, match="3 coordinates but the network takes 2"):
        class_query(ABS, [0, 0, 0], "1/10")
    with pytest.raises(InvalidArgument, match="lower 1 > upper 0"):
        Box.of([1, 0], [0, 1])
    with pytest.raises(InvalidArgument):
        bound_query(UNIT, 3, "<=", 1, 1)
    with pytest.raises(InvalidArgument):
        bound_query(UNIT, 0, "==", 1, 1)
    with pytest.raises(InvalidArgument):
        Box.around([0.5, 0], "1/10")  # floats are not exact input


def test_vnnlib_text():
    text = to_vnnlib(class_query(Network.from_rows([[[1, 0], [0, 1]]], [[0, 0]]), ["0.6", "0.4"], "1/3"), 2)
    assert "(assert (<= Y_0 Y_1))" in text
    assert "rounded outward" in text and "(assert (>= X_0 0.26666666666666666666))" in text
    assert "(assert (<= X_0 0.93333333333333333334))" in text
    exact = to_vnnlib(bound_query(UNIT, 0, "<=", 1 - EPS, 1), 1)
    assert "(assert (> Y_0 0.99999999999))" in exact and "rounded" not in exact


# ---------------------------------------------------------------------------- CLI
@pytest.fixture
def abs_onnx(tmp_path):
    path = tmp_path / "abs.onnx"
    save_onnx(ABS, path)
    return str(path)


def test_cli_robust_acceptance_1(abs_onnx, capsys, tmp_path):
    assert main(["robust", abs_onnx, "--box", "0:1,0:1", "--prove", "y0 <= 1"]) == 0
    assert "HOLDS" in capsys.readouterr().out
    vnn = tmp_path / "q.vnnlib"
    assert main(["robust", abs_onnx, "--box", "0:1,0:1", "--prove", "y0 <= 0.99999999999", "--vnnlib", str(vnn)]) == 1
    out = capsys.readouterr().out
    assert "REFUTED" in out and "counterexample x = (" in out and "exact f(x)       = (1)" in out
    assert vnn.read_text().strip().endswith("(assert (> Y_0 0.99999999999))")


@pytest.mark.parametrize("argv,msg", [
    (["--point", "0.5,0.5", "--radius", "0"], "radius must be > 0"),
    (["--point", "0.5,0.5", "--radius=-1/100"], "radius must be > 0"),
    (["--point", "0.5", "--radius", "1/100"], "1 coordinates but the model takes 2"),
    (["--point", "0.5,nan", "--radius", "1/100"], "not finite"),
    (["--box", "0:1", "--prove", "y0 <= 1"], "1 coordinates"),
    (["--box", "0:1,0:1", "--prove", "y0 = 1"], "--prove"),
    (["--box", "0:1,0-1", "--prove", "y0 <= 1"], "lo:hi"),
])
def test_cli_robust_bad_input_exits_2(abs_onnx, capsys, argv, msg):
    assert main(["robust", abs_onnx] + argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and msg in err and "Traceback" not in err


def test_cli_bad_model_files_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07\x12garbage")
    for argv in (["robust", str(bad), "--point", "0,0", "--radius", "1"], ["verify-model", str(bad), "iris"]):
        assert main(argv) == 2
        assert capsys.readouterr().err.startswith("error:")


def test_cli_verify_model(tmp_path, capsys):
    from nncert.constructions.memorize import peel
    from nncert.proofs import check_certificate

    data = load_bundled("iris")
    path = tmp_path / "iris.onnx"
    save_onnx(peel(data).network, path)
    cert = tmp_path / "iris.cert.json"
    margins = tmp_path / "m.csv"
    assert main(["verify-model", str(path), "iris", "--out", str(cert), "--margins", str(margins)]) == 0
    out = capsys.readouterr().out
    assert "149/149" in out and re.search(r"min margin \(exact\) +1/2 at point", out)
    assert check_certificate(Certificate.load(str(cert))).status is Status.HOLDS
    assert len(margins.read_text().splitlines()) == 150
    # the same network on shuffled labels: refuted, exit 1
    csv = tmp_path / "wrong.csv"
    rows = [",".join(str(float(v)) for v in p) + f",{(lab + 1) % 3}" for p, lab in zip(data.points, data.labels)]
    csv.write_text("\n".join(rows) + "\n")
    assert main(["verify-model", str(path), str(csv)]) == 1
    assert "REFUTED" in capsys.readouterr().out
    # wrong dimension: exit 2
    csv2 = tmp_path / "d2.csv"
    csv2.write_text("0,1,0\n1,0,1\n")
    assert main(["verify-model", str(path), str(csv2)]) == 2
    assert "4 inputs but the data has d=2" in capsys.readouterr().err


def test_model_classification_certificate_tampering(tmp_path):
    from nncert.proofs import check_certificate
    from nncert.proofs.claims.model_classification import certify

    net = Network.from_rows([[[1, 0], [0, 1]]], [[0, 0]])
    from nncert.data import from_arrays

    data = from_arrays([["0.6", "0.4"], ["0.1", "0.3"], ["1/2", "1/2"]], [0, 1, 0])
    cert = certify(net, data)
    assert cert.params["correct"] == "2" and cert.witness["margins"] == ["1/5", "1/5", "0"]
    v = check_certificate(Certificate.loads(cert.dumps()))
    assert v.status is Status.REFUTED and "decision boundary" in v.reason  # the tie is not a classification
    text = cert.dumps().replace('"1/5"', '"1/4"', 1)
    v2 = check_certificate(Certificate.loads(text))
    assert any(p.claim == "margins" and p.status is Status.REFUTED for p in v2.parts)
