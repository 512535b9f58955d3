"""Horvitz-Thompson random-batch estimators of a field ``F = sum_i f_i`` (``random_batch.md`` section 3).

Given a batch ``B`` drawn from a scheme with inclusion probabilities ``pi_i``, the HT estimator is
``F^h = sum_{i in B} f_i / pi_i``. This module gives it in three forms:

* :func:`ht_estimate` -- numeric (float64 numpy; a numeric path): contributions of shape
  ``(..., p, d)`` and masks ``(p,)`` or ``(k, p)``;
* :func:`ht_exact` -- exact (Fractions) for one batch;
* :func:`ht_symbolic` -- sympy, for proofs with symbolic contributions.

Every estimator here is *linear*: ``F^h(B) = sum_{i in B} w_i f_i`` with weights ``w``. An
:class:`EstimatorDesign` is a finite law on batches together with the weights; it is what the
checkers in :mod:`nncert.verify.rbm_symbolic` and the claims consume. Besides HT
(:func:`ht_design`) there are two deliberately **biased** negative controls
(``random_batch.md`` section 2, "Careful"):

* :func:`forced_nonempty_bernoulli` -- Bernoulli(q) conditioned on ``B != {}`` but still weighted
  ``1/q``: ``E F^h = F / (1 - (1-q)^p)``;
* :func:`min_pi_scaling` -- weights ``1 / min_j pi_j`` instead of ``1 / pi_i``: biased whenever the
  ``pi_i`` differ.

Examples
--------
>>> from nncert.constructions.batches import Bernoulli
>>> d = ht_design(Bernoulli(2, "1/2"))
>>> d.weights, d.bias_coefficients()
((Fraction(2, 1), Fraction(2, 1)), (Fraction(0, 1), Fraction(0, 1)))
>>> forced_nonempty_bernoulli(1, "1/2").bias_coefficients()
(Fraction(1, 1),)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from nncert.constructions.batches import Bernoulli, FiniteFamily, Scheme
from nncert.core import fmt, to_fraction
from nncert.errors import InvalidArgument

__all__ = [
    "EstimatorDesign",
    "ht_design",
    "forced_nonempty_bernoulli",
    "min_pi_scaling",
    "NEGATIVE_CONTROLS",
    "ht_estimate",
    "ht_exact",
    "ht_symbolic",
    "inverted_dropout",
    "find_bias_counterexample",
    "scheme_pi_float",
]


@dataclass(frozen=True)
class EstimatorDesign:
    """A linear batch estimator: batch law ``[(B, P(B)), ...]`` and weights ``w`` (``F^h = sum_{i in B} w_i f_i``).

    ``law`` holds distinct frozensets with positive exact probabilities summing to 1.
    """

    name: str
    p: int
    law: tuple[tuple[frozenset[int], Fraction], ...]
    weights: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        if len(self.weights) != self.p:
            raise InvalidArgument(f"weights has {len(self.weights)} entries, expected p={self.p}")
        total = sum((q for _, q in self.law), Fraction(0))
        if total != 1:
            raise InvalidArgument(f"law probabilities sum to {fmt(total)}, not 1")

    def inclusion(self) -> tuple[Fraction, ...]:
        """``P(i in B)`` from the law."""
        acc = [Fraction(0)] * self.p
        for b, q in self.law:
            for i in b:
                acc[i] += q
        return tuple(acc)

    def bias_coefficients(self) -> tuple[Fraction, ...]:
        """``c_i = P(i in B) w_i - 1``; ``E F^h - F = sum_i c_i f_i``, so unbiased iff all ``c_i == 0``."""
        return tuple(pi * w - 1 for pi, w in zip(self.inclusion(), self.weights))

    def expectation(self, f: Sequence[Sequence[object]]) -> tuple[Fraction, ...]:
        """Exact ``E F^h`` for exact contributions ``f`` (``p`` rows of ``d`` values) by enumerating the law."""
        rows = _exact_rows(f, self.p)
        d = len(rows[0])
        out = [Fraction(0)] * d
        for b, q in self.law:
            for i in b:
                for k in range(d):
                    out[k] += q * self.weights[i] * rows[i][k]
        return tuple(out)


def _exact_rows(f: Sequence[Sequence[object]], p: int) -> list[list[Fraction]]:
    if len(f) != p:
        raise InvalidArgument(f"f has {len(f)} rows, expected p={p}")
    rows = [[to_fraction(v, f"f[{i}][{k}]") for k, v in enumerate(row)] for i, row in enumerate(f)]
    if not rows[0] or any(len(r) != len(rows[0]) for r in rows):
        raise InvalidArgument("f rows must all have the same positive length d")
    return rows


def ht_design(scheme: Scheme, limit: int = 1 << 16) -> EstimatorDesign:
    """The HT estimator of ``scheme``: its exact law and weights ``1 / pi_i``."""
    law = tuple(scheme.enumerate_law(limit=limit))
    return EstimatorDesign(f"HT[{scheme.name}]", scheme.p, law, tuple(1 / v for v in scheme.pi()))


def forced_nonempty_bernoulli(p: int, q: object = Fraction(1, 2)) -> EstimatorDesign:
    """Negative control: Bernoulli(q) resampled until non-empty, weighted ``1/q`` (biased).

    ``E F^h = F / (1 - (1-q)^p)``, so the bias coefficient of every neuron is ``1/(1-(1-q)^p) - 1``.

    >>> forced_nonempty_bernoulli(2, "1/2").bias_coefficients()
    (Fraction(1, 3), Fraction(1, 3))
    """
    base = Bernoulli(p, q)
    if base.q == 1:
        raise InvalidArgument("q=1 never draws an empty batch; the control needs q < 1")
    full = base.enumerate_law()
    z = 1 - (1 - base.q) ** base.p
    law = tuple((b, w / z) for b, w in full if b)
    return EstimatorDesign(f"forced-nonempty-bernoulli(q={fmt(base.q)})", base.p, law, (1 / base.q,) * base.p)


def min_pi_scaling(scheme: Scheme | None = None) -> EstimatorDesign:
    """Negative control: every included neuron scaled by ``1 / min_j pi_j`` (biased unless all ``pi_i`` are equal).

    The default scheme is the finite family ``{0}`` or ``{0, 1}`` with probability 1/2 each (``pi = (1, 1/2)``).

    >>> min_pi_scaling().bias_coefficients()
    (Fraction(1, 1), Fraction(0, 1))
    """
    if scheme is None:
        scheme = FiniteFamily(2, [[0], [0, 1]], [Fraction(1, 2), Fraction(1, 2)], name="family{0},{0,1}")
    m = min(scheme.pi())
    return EstimatorDesign(f"min-pi-scaling[{scheme.name}]", scheme.p, tuple(scheme.enumerate_law()),
                           (1 / m,) * scheme.p)


#: The two named biased estimators used as negative controls (name -> default design).
NEGATIVE_CONTROLS = {
    "forced_nonempty_bernoulli": lambda: forced_nonempty_bernoulli(1, Fraction(1, 2)),
    "min_pi_scaling": lambda: min_pi_scaling(),
}


def find_bias_counterexample(design: EstimatorDesign, d: int = 1) -> dict[str, Any] | None:
    """Exact contributions exposing bias (``f = e_i`` in every coordinate for the first biased ``i``), or None.

    Returns ``{"i", "f", "expectation", "field"}`` with exact values (Fractions / tuples of Fractions).

    >>> cx = find_bias_counterexample(forced_nonempty_bernoulli(1, "1/2"))
    >>> cx["expectation"], cx["field"]
    ((Fraction(2, 1),), (Fraction(1, 1),))
    """
    coef = design.bias_coefficients()
    bad = [i for i, c in enumerate(coef) if c != 0]
    if not bad:
        return None
    i = bad[0]
    f = [[Fraction(1 if j == i else 0)] * d for j in range(design.p)]
    field_ = tuple(sum((row[k] for row in f), Fraction(0)) for k in range(d))
    return {"i": i, "f": f, "expectation": design.expectation(f), "field": field_}


def ht_estimate(f: Any, mask: Any, pi: Sequence[object] | np.ndarray | Scheme) -> np.ndarray:
    """Numeric HT estimate ``sum_i mask_i f_i / pi_i`` (float64; numeric path).

    ``f`` has shape ``(..., p, d)``; ``mask`` shape ``(p,)`` gives ``(..., d)``, shape ``(k, p)`` gives
    ``(k, ..., d)``. ``pi`` is a scheme or a sequence of ``p`` positive numbers.

    >>> ht_estimate(np.ones((3, 2)), np.array([True, False, True]), [Fraction(1, 2)] * 3).tolist()
    [4.0, 4.0]
    """
    F = np.asarray(f, dtype=np.float64)
    if F.ndim < 2:
        raise InvalidArgument(f"f must have shape (..., p, d), got {F.shape}")
    p = F.shape[-2]
    pis = scheme_pi_float(pi, p)
    m = np.asarray(mask)
    if m.shape[-1:] != (p,) or m.ndim not in (1, 2):
        raise InvalidArgument(f"mask has shape {m.shape}, expected ({p},) or (k, {p})")
    w = m.astype(np.float64) / pis
    if m.ndim == 1:
        return np.einsum("i,...id->...d", w, F)
    return np.einsum("ki,...id->k...d", w, F)


def scheme_pi_float(pi: Any, p: int) -> np.ndarray:
    """``pi`` as a float64 vector of length ``p`` (numeric path); rejects non-positive entries."""
    if isinstance(pi, Scheme):
        if pi.p != p:
            raise InvalidArgument(f"scheme has p={pi.p} but f has {p} neurons")
        return pi.pi_float()
    arr = np.array([float(v) for v in pi], dtype=np.float64)
    if arr.shape != (p,):
        raise InvalidArgument(f"pi has {arr.size} entries, expected p={p}")
    if not np.all(arr > 0):
        raise InvalidArgument(f"pi[{int(np.argmin(arr > 0))}] is not positive")
    return arr


def ht_exact(f: Sequence[Sequence[object]], batch: Sequence[int], weights: Sequence[object]) -> tuple[Fraction, ...]:
    """Exact ``sum_{i in batch} weights_i f_i``.

    >>> ht_exact([[1], [2]], [1], [3, 3])
    (Fraction(6, 1),)
    """
    p = len(weights)
    rows = _exact_rows(f, p)
    w = [to_fraction(v, f"weights[{i}]") for i, v in enumerate(weights)]
    out = [Fraction(0)] * len(rows[0])
    for i in sorted(set(int(i) for i in batch)):
        if not 0 <= i < p:
            raise InvalidArgument(f"batch index {i} is out of range 0..{p - 1}")
        for k, v in enumerate(rows[i]):
            out[k] += w[i] * v
    return tuple(out)


def ht_symbolic(f: Sequence[Sequence[Any]], batch: Sequence[int], pi: Sequence[Any]) -> list[Any]:
    """sympy HT estimate ``sum_{i in batch} f_i / pi_i`` with symbolic ``f`` (rows) and ``pi``.

    >>> import sympy
    >>> f = sympy.symbols("f0 f1")
    >>> ht_symbolic([[f[0]], [f[1]]], [1], [sympy.Symbol("q")] * 2)
    [f1/q]
    """
    import sympy

    d = len(f[0])
    return [sympy.Add(*[f[i][k] / pi[i] for i in batch]) for k in range(d)]


def inverted_dropout(x: Sequence[object], mask: Sequence[bool], drop: object) -> tuple[Fraction, ...]:
    """Inverted dropout with drop probability ``drop`` in exact arithmetic: ``x_i * m_i / (1 - drop)``.

    >>> inverted_dropout([1, 2], [True, False], "1/3")
    (Fraction(3, 2), Fraction(0, 1))
    """
    pd = to_fraction(drop, "drop")
    if not 0 <= pd < 1:
        raise InvalidArgument(f"drop must be in [0, 1) but got drop={fmt(pd)}")
    if len(mask) != len(x):
        raise InvalidArgument(f"mask has {len(mask)} entries but x has {len(x)}")
    keep = 1 - pd
    return tuple((to_fraction(v, f"x[{i}]") / keep) if m else Fraction(0) for i, (v, m) in enumerate(zip(x, mask)))
