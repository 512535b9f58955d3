"""nncert: exact symbolic verification of theorems about neural networks.

Layout: :mod:`nncert.constructions` builds, :mod:`nncert.verify` checks, :mod:`nncert.proofs`
states claims and assembles certificates; the ``nncert`` command is a thin layer over them.
"""

from nncert.core import Certificate, Network, Status, Verdict, fmt, parse_exact, require, to_fraction
from nncert.data import Dataset
from nncert.errors import (
    ConflictingLabels,
    DataTooLarge,
    InvalidArgument,
    InvalidCertificate,
    InvalidData,
    InvalidNetwork,
    NncertError,
    NotProved,
    UnsupportedModel,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Certificate",
    "ConflictingLabels",
    "DataTooLarge",
    "Dataset",
    "InvalidArgument",
    "InvalidCertificate",
    "InvalidData",
    "InvalidNetwork",
    "Network",
    "NncertError",
    "NotProved",
    "Status",
    "UnsupportedModel",
    "Verdict",
    "fmt",
    "parse_exact",
    "require",
    "to_fraction",
]
