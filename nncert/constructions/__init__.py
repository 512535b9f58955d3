"""Builders (untrusted: everything they make is checked by :mod:`nncert.verify`).

``memorize`` / ``peel``: width-2 exact memorization; ``approximate``: width d+1 L^p approximation;
random-batch schemes and estimators live in :mod:`nncert.constructions.batches` and ``estimators``.
"""

from nncert.constructions.approximate import approximate
from nncert.constructions.memorize import memorize, peel

__all__ = ["approximate", "memorize", "peel"]
