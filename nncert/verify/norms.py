"""Exact parameter norms of a :class:`~nncert.core.Network` (trusted; Fraction arithmetic only).

``||theta||^2`` is the sum of squares of every weight and bias (``with_biases=False`` in the
regularized-loss code uses :attr:`NormReport.sum_squares_weights`, the convention that does not
penalize biases; paper 1 does not say which one it means, so both are reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from nncert.core import Network, fmt

__all__ = ["NormReport", "norms", "text"]


@dataclass(frozen=True)
class NormReport:
    """Exact norms; per-layer tuples run over the affine maps (hidden layers, then the output)."""

    sum_squares: Fraction
    sum_squares_weights: Fraction
    max_abs: Fraction
    layer_frobenius_sq: tuple[Fraction, ...]
    layer_bias_sq: tuple[Fraction, ...]

    def to_json(self) -> dict[str, object]:
        """Values as text: exact ``"p/q"`` when short, else ``"~1.234e+23 (N-digit exact value)"``."""
        return {
            "sum_squares": text(self.sum_squares),
            "sum_squares_weights": text(self.sum_squares_weights),
            "max_abs": text(self.max_abs),
            "layer_frobenius_sq": [text(v) for v in self.layer_frobenius_sq],
            "layer_bias_sq": [text(v) for v in self.layer_bias_sq],
        }


def text(v: Fraction, max_digits: int = 200) -> str:
    """Exact canonical text if numerator and denominator have <= ``max_digits`` bits*0.3 digits,
    else an approximate float with the exact size (for reports; never parsed back).

    Examples
    --------
    >>> text(Fraction(3, 4)), text(Fraction(1, 3**1000))[:12]
    ('3/4', '~7.564e-478 ')
    """
    nd = max(v.numerator.bit_length(), v.denominator.bit_length()) * 0.30103
    if nd <= max_digits:
        return fmt(v)
    import math

    lg = math.log10(abs(v.numerator)) - math.log10(v.denominator) if v else 0.0
    mant, ex = 10 ** (lg - math.floor(lg)), math.floor(lg)
    return f"~{'-' if v < 0 else ''}{mant:.3f}e{ex:+d} (exact value has ~{int(nd)} digits)"


def norms(net: Network) -> NormReport:
    """Exact sum of squares, max |parameter| and squared per-layer Frobenius norms of ``net``.

    Examples
    --------
    >>> r = norms(Network.from_rows([[[1, -2]], [["1/2"]]], [[3], [0]]))
    >>> r.sum_squares, r.sum_squares_weights, r.max_abs, r.layer_frobenius_sq, r.layer_bias_sq
    (Fraction(57, 4), Fraction(21, 4), Fraction(3, 1), (Fraction(5, 1), Fraction(1, 4)), (Fraction(9, 1), Fraction(0, 1)))
    """
    if not isinstance(net, Network):
        from nncert.errors import InvalidArgument

        raise InvalidArgument(f"norms() expects a Network, got {type(net).__name__}")
    fro: list[Fraction] = []
    bsq: list[Fraction] = []
    top = Fraction(0)
    for w, b in zip(net.weights, net.biases):
        s = Fraction(0)
        for row in w:
            for v in row:
                s += v * v
                if abs(v) > top:
                    top = abs(v)
        t = Fraction(0)
        for v in b:
            t += v * v
            if abs(v) > top:
                top = abs(v)
        fro.append(s)
        bsq.append(t)
    return NormReport(sum(fro, Fraction(0)) + sum(bsq, Fraction(0)), sum(fro, Fraction(0)), top, tuple(fro), tuple(bsq))
