"""nncert's memorization claim (width 2, depth <= 2N+4M-1) on the kinds of data a user cares about."""

from hypothesis import given, settings

from nncert.proofs import registry
from nncert.strategies import datasets

MEMO = registry()["P1.memorization.width2_depth"]


@settings(max_examples=15, deadline=None)
@given(datasets(n=(2, 8), d=3, classes=2, collinear=True, delta="1/2"))
def test_collinear_data_is_memorized_by_width_2(nncert_check, ds):
    cert = MEMO.certify(ds, z3=False)
    verdict = nncert_check(cert)  # trusted re-check; prints the certificate on failure
    assert int(cert.params["depth"]) <= 2 * ds.n + 4 * ds.m - 1
    assert "depth" in verdict.evidence


@settings(max_examples=15, deadline=None)
@given(datasets(n=(3, 8), d=2, classes=3, near_duplicates=1))
def test_near_duplicates_with_different_labels(nncert_check, ds):
    nncert_check(MEMO.certify(ds, z3=False))
