"""Issue 5 claims (P2.unbiasedness, P2.variance_identities, P2.bernoulli_dropout, P2.optimal_h,
P2.batch_design) and the ``nncert rbm prove`` / ``nncert rbm design`` commands: certificates round-trip,
the trusted checkers hold on honest certificates and refute (or reject) tampered ones."""

from __future__ import annotations

import copy
import dataclasses
import json

import numpy as np
import pytest

from nncert.cli.main import main
from nncert.core import Certificate, Status
from nncert.errors import InvalidCertificate
from nncert.proofs import check_certificate, registry
from nncert.proofs.claims import (
    p2_batch_design,
    p2_bernoulli_dropout,
    p2_optimal_h,
    p2_unbiasedness,
    p2_variance_identities,
)


def roundtrip(cert: Certificate) -> Certificate:
    return Certificate.loads(cert.dumps())


def mutate(cert: Certificate, where: str, path: tuple, value) -> Certificate:  # noqa: ANN001
    obj = copy.deepcopy(dict(getattr(cert, where)))
    node = obj
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return dataclasses.replace(cert, **{where: obj})


@pytest.fixture(scope="module")
def unb() -> Certificate:
    return roundtrip(p2_unbiasedness.certify(3, d=1, symbolic=False))


@pytest.fixture(scope="module")
def var() -> Certificate:
    return roundtrip(p2_variance_identities.certify(4, d=1, symbolic=False))


def test_registered() -> None:
    ids = set(registry())
    assert {"P2.unbiasedness", "P2.variance_identities", "P2.bernoulli_dropout", "P2.optimal_h",
            "P2.batch_design"} <= ids


def test_unbiasedness_holds_and_tampering_is_caught(unb) -> None:
    v = check_certificate(unb)
    assert v.holds and any("negative control" in p.claim for p in v.parts)
    # a stated pi that is not the law's
    k = next(i for i, inst in enumerate(unb.witness["instances"]) if inst["scheme"]["scheme"] == "uniform")
    bad = mutate(unb, "witness", ("instances", k, "pi", 0), "1/7")
    assert check_certificate(bad).status is Status.REFUTED
    # a negative control whose stated E F^h is wrong
    bad2 = mutate(unb, "witness", ("controls", 0, "counterexample", "E_Fh", 0), "1")
    assert check_certificate(bad2).status is Status.REFUTED
    # a 'control' that is in fact unbiased (q = 1 is not a control) is rejected as malformed
    bad3 = mutate(unb, "witness", ("controls", 0, "q"), "1")
    with pytest.raises(InvalidCertificate):
        check_certificate(bad3)
    # malformed law spec
    bad4 = mutate(unb, "witness", ("instances", 0, "scheme", "p"), "01")
    with pytest.raises(InvalidCertificate):
        check_certificate(bad4)
    # checked_by is informational: tampering with it changes nothing
    assert check_certificate(dataclasses.replace(unb, checked_by={"x": "y"})).holds


def test_variance_holds_and_tampering_is_caught(var) -> None:
    assert check_certificate(var).holds
    k = next(i for i, inst in enumerate(var.witness["instances"]) if inst["scheme"]["scheme"] == "bernoulli")
    bad = mutate(var, "witness", ("instances", k, "rows", 0, "coefficient"), "3")
    assert check_certificate(bad).status is Status.REFUTED
    bad2 = mutate(var, "witness", ("partition_average", 0, "count"), "99")
    assert check_certificate(bad2).status is Status.REFUTED
    with pytest.raises(InvalidCertificate):
        check_certificate(mutate(var, "witness", ("instances", 0, "rows"), "none"))


def test_symbolic_certificate_records_sympy_and_admits_it() -> None:
    cert = p2_unbiasedness.certify(2, d=1)
    assert cert.checked_by["sympy"]["holds"] == cert.checked_by["sympy"]["identities"]
    assert any("sympy" in a for a in cert.admitted)
    assert all(line.startswith("REFUTED") for line in cert.checked_by["sympy_controls"])


def test_dropout_claim() -> None:
    cert = roundtrip(p2_bernoulli_dropout.certify(3, qs=("1/2", "2/3"), d=1))
    v = check_certificate(cert)
    assert v.holds and "issue 6" in v.evidence
    bad = mutate(cert, "witness", ("cases", 1, "drop"), "1/2")
    assert check_certificate(bad).status is Status.REFUTED
    rows = cert.witness["cases"][0]["masks"][:-1]
    assert check_certificate(mutate(cert, "witness", ("cases", 0, "masks"), rows)).status is Status.REFUTED


def test_optimal_h_claim() -> None:
    cert = roundtrip(p2_optimal_h.certify(sympy=False))
    assert cert.params["h_star"] == "2/25"
    assert cert.checked_by["z3"]["verdicts"][0].startswith("HOLDS")
    assert sum(float(s) for s in cert.checked_by["z3"]["seconds"].values()) <= 30
    assert check_certificate(cert).holds
    assert check_certificate(mutate(cert, "params", ("h_star",), "1/12")).status is Status.REFUTED
    assert check_certificate(mutate(cert, "witness", ("sqrt_S_hstar",), "1/24")).status is Status.REFUTED
    irr = roundtrip(p2_optimal_h.certify("1/10", "1/50", 1, "1/2", sympy=False, z3=False))
    assert irr.params["h_star"] == "irrational" and check_certificate(irr).holds
    lo, hi = irr.witness["bracket"]
    assert check_certificate(mutate(irr, "witness", ("bracket",), [hi, hi])).status is Status.REFUTED


def test_batch_design_claim() -> None:
    cert = roundtrip(p2_batch_design.certify(draws=2000, ilp=False))
    v = check_certificate(cert)
    assert v.holds, v.summary()
    d0 = cert.witness["designs"][0]
    swapped = mutate(cert, "witness", ("designs", 0, "optimal"), d0["adversarial"])
    assert check_certificate(swapped).status is Status.REFUTED
    assert check_certificate(mutate(cert, "witness", ("schemes", 0, "lambda"), "1")).status is Status.REFUTED
    # changing one contribution changes G: the stated optimum no longer matches
    x = cert.witness["contributions"][0][0][0][0]
    assert check_certificate(mutate(cert, "witness", ("contributions", 0, 0, 0, 0), "7" if x != "7" else "8")
                             ).status is Status.REFUTED


def test_cli_prove_small(tmp_path, capsys) -> None:
    out = tmp_path / "certs"
    code = main(["rbm", "prove", "--p", "3", "--d", "1", "--scheme", "bernoulli,uniform", "--out", str(out),
                 "--family", "0+1|2:1/2,1/2"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "REFUTED  unbiased [forced-nonempty" in text and "E_Fh=2" in text
    assert "HOLDS    unbiased [family 0+1|2:1/2,1/2]" in text
    for name in ("unbiasedness", "variance_identities", "bernoulli_dropout", "optimal_h"):
        assert main(["check", str(out / f"{name}.cert.json")]) == 0
    capsys.readouterr()
    # a user family that is not a valid scheme: error, exit 2
    assert main(["rbm", "prove", "--p", "1", "--no-certs", "--family", "0|1:1/2,1/3"]) == 2
    assert "error:" in capsys.readouterr().err
    assert main(["rbm", "prove", "--p", "9"]) == 2
    assert main(["rbm", "prove", "--scheme", "nope"]) == 2


def test_cli_design(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "c.npz"
    np.savez(path, f=rng.standard_normal((5, 3, 6, 2)), t=np.linspace(0, 1, 5))
    code = main(["rbm", "design", str(path), "--out", str(tmp_path / "o"), "--draws", "500"])
    text = capsys.readouterr().out
    assert code == 0 and "exact enumeration (15 partitions)" in text and "HOLDS" in text
    assert main(["check", str(tmp_path / "o" / "batch_design.cert.json")]) == 0
    rows = (tmp_path / "o" / "design.csv").read_text().splitlines()
    assert rows[0].startswith("r,") and len(rows) == 3
    capsys.readouterr()
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    assert main(["rbm", "design", str(bad)]) == 2
    np.savez(tmp_path / "x.npz", a=np.zeros(3), b=np.zeros(3))
    assert main(["rbm", "design", str(tmp_path / "x.npz")]) == 2
    assert "error:" in capsys.readouterr().err


def test_certificates_have_no_json_numbers(unb) -> None:
    def walk(o):  # noqa: ANN001, ANN202
        if isinstance(o, dict):
            return all(walk(v) for v in o.values())
        if isinstance(o, list):
            return all(walk(v) for v in o)
        return isinstance(o, str) or o is None

    assert walk(json.loads(unb.dumps()))
