"""A stated range p = 1..p_max must be covered by the certificate's instances (found by the bundle corruption run)."""

import json

import pytest

from nncert.core import Certificate, Status
from nncert.proofs import check_certificate, registry


@pytest.mark.parametrize("cid", ["P2.unbiasedness", "P2.variance_identities"])
def test_raising_p_max_without_instances_is_refuted(cid):
    cert = registry()[cid].quick()
    assert check_certificate(Certificate.loads(cert.dumps())).holds
    obj = json.loads(cert.dumps())
    obj["params"]["p_max"] = str(int(obj["params"]["p_max"]) + 1)
    verdict = check_certificate(Certificate.loads(json.dumps(obj)))
    assert verdict.status is Status.REFUTED and "no instance covers it" in verdict.reason
