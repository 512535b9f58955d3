"""A tool that consumes certificates must never accept a tampered or malformed one."""

import pytest
from hypothesis import given, settings

from nncert import Certificate, InvalidCertificate, Status
from nncert.proofs import check_certificate
from nncert.strategies import certificates


@settings(max_examples=10, deadline=None)
@given(certificates("tampered", max_points=4))
def test_tampered_certificates_are_refuted(cert):
    assert check_certificate(Certificate.loads(cert.dumps())).status is Status.REFUTED


@settings(max_examples=10, deadline=None)
@given(certificates("malformed", max_points=4))
def test_malformed_certificates_are_rejected(text):
    with pytest.raises(InvalidCertificate):
        check_certificate(Certificate.loads(text))


@settings(max_examples=5, deadline=None)
@given(certificates("memorization", max_points=5))
def test_round_trip_keeps_the_verdict(nncert_check, cert):
    nncert_check(Certificate.loads(cert.dumps()))
