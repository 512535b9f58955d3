"""The nncert pytest plugin: fixture ``nncert_check`` passes HOLDS, fails otherwise and shows the certificate."""

from __future__ import annotations

import pytest

from nncert.core import Certificate, Status, Verdict
from nncert.data import from_arrays
from nncert.errors import InvalidArgument
from nncert.pytest_plugin import assert_holds


def _memo_cert() -> Certificate:
    from nncert.proofs.claims.p1_memorization import certify

    return certify(from_arrays([[0, 0], [1, 0], [0, 1]], [0, 1, 1]), z3=False)


def test_fixture_is_provided_by_the_installed_plugin(nncert_check):
    assert nncert_check is assert_holds
    v = nncert_check(Verdict(Status.HOLDS, "demo", evidence="2 <= 3"))
    assert v.evidence == "2 <= 3"


def test_certificate_is_rechecked_by_the_trusted_checker(nncert_check):
    v = nncert_check(_memo_cert())
    assert v.holds and v.claim == "P1.memorization.width2_depth"


def test_refuted_certificate_fails_the_test_and_prints_it():
    obj = _memo_cert().to_json()
    obj["params"]["depth"] = "99"
    bad = Certificate.from_json(obj)
    with pytest.raises(pytest.fail.Exception) as err:
        assert_holds(bad)
    msg = str(err.value)
    assert "is REFUTED, not HOLDS" in msg
    assert "depth stated '99'" in msg  # the verdict's summary
    assert '"depth": "99"' in msg  # the certificate itself


def test_unknown_verdict_fails_too_and_shows_a_given_certificate():
    cert = _memo_cert()
    with pytest.raises(pytest.fail.Exception) as err:
        assert_holds(Verdict(Status.UNKNOWN, "mine", reason="solver timed out"), certificate=cert)
    assert "solver timed out" in str(err.value) and '"claim": "P1.memorization.width2_depth"' in str(err.value)


@pytest.mark.parametrize("args,kwargs,word", [
    ((3,), {}, "Verdict or a Certificate"),
    ((Verdict(Status.HOLDS, "x"),), {"data": 1}, "context"),
    ((Verdict(Status.HOLDS, "x"),), {"certificate": "{}"}, "certificate"),
])
def test_wrong_arguments_raise_invalid_argument(args, kwargs, word):
    with pytest.raises(InvalidArgument, match=word):
        assert_holds(*args, **kwargs)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 5))
def test_fixture_works_inside_given(nncert_check, k):
    # session scope: no FailedHealthCheck for a function-scoped fixture
    assert nncert_check(Verdict(Status.HOLDS, "k", evidence=f"{k} >= 0")).holds
