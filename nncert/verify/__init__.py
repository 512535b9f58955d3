"""Checkers. :mod:`nncert.verify.exact` is the trusted exact evaluator; the others propose or cross-check.

Only light modules (stdlib + :mod:`nncert.core`) are imported here, so the trusted path stays free of
solvers and of :mod:`nncert.constructions` (a test enforces it); solver-backed checkers (``smt``,
``robustness``, ...) are imported by name when needed.
"""

from nncert.verify.exact import check_classification, evaluate, evaluate_many, evaluate_naive
from nncert.verify.lp_error import lp_error
from nncert.verify.norms import norms
from nncert.verify.width_one import width_one

__all__ = ["check_classification", "evaluate", "evaluate_many", "evaluate_naive", "lp_error", "norms", "width_one"]
