"""pytest plugin (entry point group ``pytest11``, name ``nncert``): the ``nncert_check`` fixture.

Installed with nncert, so any test suite can ask for it::

    def test_my_network(nncert_check):
        verdict = nncert_check(certificate)          # re-checks with the trusted checker, asserts HOLDS
        nncert_check(my_verdict, certificate=cert)   # asserts a Verdict you computed; prints cert on failure

On failure the test fails with the verdict's summary (one line per part, what was admitted) and the
certificate's canonical JSON, so the failing witness is in the test report. UNKNOWN fails too
(UNKNOWN is never folded into HOLDS). This module imports only pytest at load time.
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["nncert_check", "assert_holds", "MAX_SHOWN"]

#: Longest certificate text shown in a failure message (longer ones are cut, with a note).
MAX_SHOWN = 20_000


def assert_holds(obj: Any, certificate: Any = None, **context: Any) -> Any:
    """Fail the current test unless ``obj`` holds; return the :class:`~nncert.core.Verdict`.

    ``obj`` is a :class:`~nncert.core.Verdict` (asserted as is) or a :class:`~nncert.core.Certificate`
    (re-checked by the trusted checker of its claim, with ``context`` such as ``data=...``).
    ``certificate`` (or the certificate passed as ``obj``) is printed when the verdict does not hold.
    Anything else raises :class:`~nncert.errors.InvalidArgument`.

    Examples
    --------
    >>> from nncert.core import Status, Verdict
    >>> assert_holds(Verdict(Status.HOLDS, "demo", evidence="1 <= 2")).evidence
    '1 <= 2'
    """
    from nncert.core import Certificate, Verdict
    from nncert.errors import InvalidArgument

    if isinstance(obj, Certificate):
        from nncert.proofs import check_certificate

        certificate = obj if certificate is None else certificate
        verdict = check_certificate(obj, **context)
    elif isinstance(obj, Verdict):
        if context:
            raise InvalidArgument(f"nncert_check: context {sorted(context)} only applies to a Certificate")
        verdict = obj
    else:
        raise InvalidArgument(f"nncert_check expects a Verdict or a Certificate but got {type(obj).__name__}")
    if certificate is not None and not isinstance(certificate, Certificate):
        raise InvalidArgument(f"certificate must be a Certificate but got {type(certificate).__name__}")
    if verdict.holds:
        return verdict
    lines = [f"nncert: {verdict.claim or 'claim'} is {verdict.status.value}, not HOLDS", verdict.summary()]
    if verdict.counterexample:
        lines.append("counterexample: " + ", ".join(f"{k}={v}" for k, v in verdict.counterexample.items()))
    if certificate is not None:
        text = certificate.dumps()
        if len(text) > MAX_SHOWN:
            text = text[:MAX_SHOWN] + f"\n... ({len(text) - MAX_SHOWN} more characters; save it with Certificate.save)"
        lines += ["certificate:", text]
    pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture(scope="session")
def nncert_check() -> Any:
    """A function ``check(verdict_or_certificate, certificate=None, **context) -> Verdict`` that fails the
    test (printing the verdict summary and the certificate) unless the claim HOLDS.

    Session-scoped and stateless, so it can be used in hypothesis ``@given`` tests."""
    return assert_holds
