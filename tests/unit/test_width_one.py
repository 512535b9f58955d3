"""Width-1 decision (exact and threshold semantics): witnesses, Farkas certificates, bad input."""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from nncert.core import Certificate, Network
from nncert.data import from_arrays, load_bundled
from nncert.errors import ConflictingLabels, InvalidArgument, InvalidCertificate
from nncert.proofs import check_certificate
from nncert.proofs.claims.p1_width_sharpness import certify, check, xor_data
from nncert.verify.farkas import check_tree, check_width_one, exact_rows, farkas_ok
from nncert.verify.width_one import clamp_network, width_one

F = Fraction


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("sem", ["exact", "threshold"])
def test_xor_is_width_one_infeasible_with_a_checked_farkas_certificate(d, sem):
    r = width_one(xor_data(d), semantics=sem)
    assert r.feasible is False and r.network is None
    assert r.check().holds
    assert r.solver_log["z3_unsat"] == r.solver_log["cvc5_unsat_agree"] >= 1


def test_xor_d2_farkas_by_hand():
    # (0,0),(1,1) label 0 and (0,1),(1,0) label 1: rows w.x+b <= 0 (label 0), -(w.x+b) <= -1 (label 1).
    ds = xor_data(2)  # points in order (0,0),(0,1),(1,0),(1,1)
    rows = exact_rows(ds.points, ds.labels)
    ok, msg = farkas_ok(rows, {0: F(1), 1: F(1), 2: F(1), 3: F(1)})
    assert ok and msg == "sum of rows: 0 <= -2"
    assert not farkas_ok(rows, {0: F(1), 1: F(1), 2: F(1)})[0]
    assert not farkas_ok(rows, {0: F(-1), 1: F(1), 2: F(1), 3: F(-1)})[0]


def test_monotone_labels_feasible_and_witness_exact():
    X = [[0, 5], [1, 3], [2, 9], [3, 0], [7, 1]]
    y = [0, 0, 1, 2, 2]  # labels monotone along the first coordinate; 1 only at x1 = 2
    r = width_one(X, y)
    assert r.feasible is True and r.network.width == 1
    assert [r.network(p)[0] for p in X] == [F(v) for v in y]
    assert r.check().holds


def test_iris_setosa_vs_rest_feasible_versicolor_vs_virginica_not():
    ds = load_bundled("iris")
    a = ds.relabel([["setosa"], ["versicolor", "virginica"]])
    b = ds.relabel([["versicolor"], ["virginica"]])
    for sem in ("exact", "threshold"):
        ra, rb = width_one(a, semantics=sem), width_one(b, semantics=sem)
        assert ra.feasible is True and ra.check().holds
        assert rb.feasible is False and rb.check().holds


def test_threshold_needs_a_case_split_tree():
    # Three pairwise separable segments along the edges of a triangle: no single order works.
    X = [[1, 0], [9, 0], [9, 1], [1, 9], [0, 9], [0, 1]]
    y = [0, 0, 1, 1, 2, 2]
    r = width_one(X, y, semantics="threshold")
    assert r.feasible is False
    assert "children" in r.tree and len(r.tree["children"]) == 3
    assert r.check().holds
    # Dropping a child breaks coverage.
    bad = copy.deepcopy(r.witness_json())
    bad["tree"]["children"].pop()
    assert not check_width_one(bad, r.data).holds


def test_threshold_three_classes_feasible():
    X = [[0, 0], [1, 5], [2, 2], [3, 3], [4, 1], [5, 9]]
    y = [2, 2, 0, 0, 1, 1]
    r = width_one(X, y, semantics="threshold")
    assert r.feasible is True and r.order in ((2, 0, 1), (1, 0, 2))  # either direction of w
    assert r.check().holds


def test_tampered_farkas_vector_is_refuted():
    r = width_one(xor_data(3))
    wit = r.witness_json()
    wit["tree"]["leaf"]["y"][0][1] = "12345"
    v = check_width_one(wit, r.data)
    assert not v.holds and v.status.value == "REFUTED"


def test_tampered_witness_network_is_refuted():
    X, y = [[0], [1], [2]], [0, 1, 2]
    r = width_one(X, y)
    wit = r.witness_json()
    wit["network"] = clamp_network([F(1)], F(1), F(0), F(2)).to_json()  # shifted by one
    assert check_width_one(wit, r.data).status.value == "REFUTED"
    wit["network"] = Network.from_rows([[[1], [1]], [[1, 0]]], [[0, 0], [0]]).to_json()  # width 2
    assert check_width_one(wit, r.data).status.value == "REFUTED"


def test_malformed_certificate_raises():
    r = width_one(xor_data(2))
    wit = r.witness_json()
    wit["tree"]["leaf"]["y"] = [["0", "1/1"]]
    with pytest.raises(InvalidCertificate):
        check_width_one(wit, r.data)
    with pytest.raises(InvalidCertificate):
        check_tree({"prefix": []}, r.data.points, r.data.labels, "exact")


# -- bad input ------------------------------------------------------------------------------------
def test_single_class_is_feasible_with_constant_network():
    for sem in ("exact", "threshold"):
        r = width_one([[0, 1], [2, 3], [5, 5]], [1, 1, 1], semantics=sem)
        assert r.feasible is True and r.check().holds
        if sem == "exact":
            assert all(r.network(p)[0] == 0 for p in ([0, 1], [2, 3]))  # class index 0


def test_one_point_is_feasible():
    r = width_one([[3, 4]], ["a"])
    assert r.feasible is True and r.check().holds


def test_collinear_points_decided_along_the_line():
    line = [[0, 0], [1, 2], [2, 4], [3, 6]]
    assert width_one(line, [0, 1, 0, 1]).feasible is False
    assert width_one(line, [0, 1, 0, 1], semantics="threshold").feasible is False
    r = width_one(line, [0, 0, 1, 1])
    assert r.feasible is True and r.check().holds


def test_duplicate_conflicting_points_raise():
    with pytest.raises(ConflictingLabels, match="same point with different labels"):
        width_one([[0, 0], [1, 1], [0, 0]], [0, 1, 1])


def test_bad_semantics_and_missing_labels_raise():
    with pytest.raises(InvalidArgument, match="semantics"):
        width_one([[0]], [0], semantics="fuzzy")
    with pytest.raises(InvalidArgument, match="labels"):
        width_one([[0]])


# -- claim ------------------------------------------------------------------------------------------
def test_claim_bundle_round_trips_and_detects_tampering():
    cert = certify([(f"xor_d{k}", xor_data(k)) for k in (2, 3)])
    again = Certificate.loads(cert.dumps())
    v = check_certificate(again)
    assert v.holds and cert.params["sharp"] == "yes" and cert.params["xor_dims"] == ["2", "3"]
    obj = json.loads(cert.dumps())
    obj["params"]["xor_dims"] = ["2", "3", "4"]
    assert check(Certificate.from_json(obj)).status.value == "REFUTED"
    obj = json.loads(cert.dumps())
    obj["witness"]["cases"][0]["data"]["labels"][0] = "1"  # no longer parity data
    obj["witness"]["cases"][0]["data_sha256"] = Certificate.from_json(obj).witness["cases"][0]["data_sha256"]
    assert check(Certificate.from_json(obj)).status.value == "REFUTED"


def test_cli_width_one(tmp_path, capsys):
    from nncert.cli.main import main

    out = tmp_path / "c.json"
    assert main(["width-one", "iris", "--groups", "versicolor;virginica", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "exact     semantics: INFEASIBLE" in text and "HOLDS" in text
    assert main(["check", str(out)]) == 0
    assert main(["width-one", "iris", "--groups", "setosa;nope"]) == 2
    assert "error: class 'nope'" in capsys.readouterr().err


def test_cli_bad_input(tmp_path, capsys):
    from nncert.cli.main import main

    dup = tmp_path / "dup.csv"
    dup.write_text("x,y,label\n0,0,a\n1,1,b\n0,0,b\n")
    assert main(["width-one", str(dup), "--out", str(tmp_path / "c.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "same point with different labels" in err and "Traceback" not in err
    one = tmp_path / "one.csv"
    one.write_text("x,y,label\n0,0,a\n1,1,a\n")
    assert main(["width-one", str(one), "--out", str(tmp_path / "c.json")]) == 0
    out = capsys.readouterr().out
    assert "exact     semantics: FEASIBLE" in out and "threshold semantics: FEASIBLE" in out
    assert main(["width-one", "xor99"]) == 2
    assert "outside 1..12" in capsys.readouterr().err
