"""Every exception nncert raises derives from :class:`NncertError`.

Messages name the offending value and, where useful, say what to pass instead, e.g.
``expected an exact rational but got weights[1][0][2]=0.1 (float); pass "1/10"``.
The CLI turns any :class:`NncertError` into a one-line ``error: ...`` and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "NncertError",
    "InvalidArgument",
    "InvalidNetwork",
    "InvalidData",
    "ConflictingLabels",
    "DataTooLarge",
    "InvalidCertificate",
    "UnsupportedModel",
    "NotProved",
]


class NncertError(Exception):
    """Base class for every error nncert raises."""


class InvalidArgument(NncertError, ValueError):
    """An argument has the wrong type, shape or value."""


class InvalidNetwork(InvalidArgument):
    """A network's layers do not fit together or hold non-exact numbers."""


class InvalidData(InvalidArgument):
    """A data set cannot be read: bad file, unparsable number, NaN/inf, ragged rows, empty."""


class ConflictingLabels(InvalidData):
    """The same point appears with two different labels."""

    def __init__(self, message: str, rows: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.rows = rows


class DataTooLarge(InvalidData):
    """More points than nncert processes without an explicit ``force=True``."""


class InvalidCertificate(NncertError):
    """A certificate file is malformed (not: well-formed but false, which is a REFUTED verdict)."""


class UnsupportedModel(InvalidArgument):
    """An imported model uses an operation or layout nncert does not handle."""


class NotProved(NncertError):
    """Raised by :func:`nncert.core.require` when a verdict is not HOLDS; keeps the verdict."""

    def __init__(self, verdict: object) -> None:
        super().__init__(str(verdict))
        self.verdict = verdict
