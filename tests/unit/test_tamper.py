"""Soundness under tampering (issue 2, acceptance 3).

Every number in a generated memorization certificate (network, data, labels, stated values, the data hash,
and the informational construction record and timings) is mutated, one at a time, in two ways. For each
mutant, the truth of its claims is decided by an independent path (hashlib for the data hash, plain counting
for N/M/d, the network's shape, and z3 for the classification), and `nncert check` must exit 0 exactly when
the mutant's claims are all true. Mutants whose claims stay true (e.g. a weight that no data point activates,
or a timing) may pass and are counted.
"""

import copy
import hashlib
import json
import re
from fractions import Fraction

import pytest

from nncert.cli.main import main
from nncert.core import fmt
from nncert.data import from_arrays
from nncert.proofs.claims.p1_memorization import certify

RATIONAL = re.compile(r"-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?")


def leaves(obj, path=()):
    if isinstance(obj, dict):
        for k in sorted(obj):
            yield from leaves(obj[k], path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, path + (i,))
    elif isinstance(obj, str):
        yield path, obj


def set_at(obj, path, value):
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = value


def mutations(value):
    if RATIONAL.fullmatch(value):
        v = Fraction(value)
        return [fmt(v + 1), fmt(-v) if v else fmt(Fraction(1, 7))]
    if re.fullmatch(r"[0-9a-f]{64}", value):
        return [value[:-1] + ("0" if value[-1] != "0" else "1")]
    if re.fullmatch(r"[0-9]+\.[0-9]+", value):  # timings
        return [str(float(value) + 1.5)]
    return []


def truth_by_independent_path(obj):
    """Are all claims of this (possibly mutated) certificate true? None if it is not well-formed."""
    from nncert.core import Network
    from nncert.verify.smt import z3_check_classification

    try:
        w, p = obj["witness"], obj["params"]
        data = w["data"]
        pts = [tuple(Fraction(v) for v in row) for row in data["points"]]
        labels = [int(v) for v in data["labels"]]
        net = Network.from_json(w["network"])
    except Exception:  # noqa: BLE001 - malformed: no claim can hold
        return None
    if any(not RATIONAL.fullmatch(v) or fmt(Fraction(v)) != v for _, v in leaves(w["network"])):
        return None
    if any(fmt(Fraction(v)) != v for row in data["points"] for v in row):
        return None
    m = len(data["classes"])
    if len(set(pts)) != len(pts) or sorted(set(labels)) != list(range(m)):
        return False
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    if hashlib.sha256(text.encode()).hexdigest() != w["data_sha256"]:
        return False
    n, d = len(pts), len(pts[0])
    stated = {"N": n, "M": m, "d": d, "width": net.width, "depth": net.depth,
              "affine_maps": net.depth + 1, "depth_bound": 2 * n + 4 * m - 1}
    if any(p[k] != str(v) for k, v in stated.items()):
        return False
    if net.input_dim != d or not net.widths or any(x != 2 for x in net.widths) or net.depth > 2 * n + 4 * m - 1:
        return False
    return z3_check_classification(net, pts, labels).holds


@pytest.fixture(scope="module")
def original():
    pts = [[0, 0], [1, 1], [0, 1], [1, 0], ["1/2", "1/3"], [2, 1], [-1, 3], [3, "-5/2"]]
    labels = ["a", "a", "b", "b", "c", "a", "c", "b"]
    return json.loads(certify(from_arrays(pts, labels), z3=False).dumps())


def test_every_number_mutated_never_passes_when_false(original, tmp_path, capsys):
    counts = {"rejected": 0, "still_valid": 0, "fields": set()}
    original_truth = truth_by_independent_path(original)
    assert original_truth is True
    path = tmp_path / "c.json"
    for where, value in leaves(original):
        for new in mutations(value):
            mutant = copy.deepcopy(original)
            set_at(mutant, where, new)
            path.write_text(json.dumps(mutant, sort_keys=True))
            code = main(["check", str(path)])
            capsys.readouterr()
            truth = truth_by_independent_path(mutant)
            assert code in (0, 1, 2, 3)
            if truth:
                assert code == 0, f"true mutant rejected: {where} -> {new}"
                counts["still_valid"] += 1
            else:
                assert code != 0, f"false mutant accepted: {where} {value} -> {new}"
                counts["rejected"] += 1
            counts["fields"].add(where[:2] if where[0] == "witness" else where[:1])
    # every part of the certificate was mutated at least once
    assert {("witness", "network"), ("witness", "data"), ("witness", "data_sha256"), ("params",),
            ("checked_by",), ("timings",)} <= counts["fields"]
    assert counts["rejected"] > 50 and counts["still_valid"] > 0
    print(f"\ntampering: {counts['rejected']} rejected, {counts['still_valid']} still valid")
