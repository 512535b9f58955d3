"""Shared by the golden regen scripts: pin run-dependent fields, write every case.

Run a regen script as a module from the repository root, e.g. ``python -m tests.golden.regen_memorization``,
then review the diff.
"""

import os

from nncert.core import Certificate

HERE = os.path.dirname(os.path.abspath(__file__))


def pinned(cert: Certificate, *, keep_checked_by: bool = True) -> Certificate:
    """The certificate with timings and version pinned (and optionally the informational ``checked_by``
    dropped), so a golden file only changes when the math does."""
    return Certificate(cert.claim, cert.params, cert.witness, cert.admitted,
                       cert.checked_by if keep_checked_by else {}, {}, "golden")


def write_all(names, build) -> None:  # noqa: ANN001
    """Write ``build(name)`` to ``tests/golden/<name>.json`` for every name."""
    for name in names:
        build(name).save(os.path.join(HERE, f"{name}.json"))
        print("wrote", name)
