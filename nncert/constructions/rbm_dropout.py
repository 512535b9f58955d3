"""Bernoulli batches in the dynamics: Euler with ``h = dt`` is a residual network with inverted dropout (exact).

With Bernoulli(q) batches, ``pi_i = q`` and ``F^h = (1/q) sum_i m_i f_i``. One Euler step of length
``h = dt`` on ``[t_k, t_{k+1})`` is therefore ``x -> x + h W diag(m_k / q) relu(A x + b)``: a residual layer
whose hidden units are dropped with probability ``1 - q`` and the survivors scaled by ``1/q``
(``random_batch.md`` section 6.5). Exact arithmetic: ReLU, Fraction parameters, 0/1 masks.

:func:`residual_dropout_network` writes the ``K``-step map as an exact :class:`~nncert.core.Network`
(ReLU MLP, depth ``K``, width ``p + 2d``) using ``x = relu(x) - relu(-x)`` for the skip connection.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from nncert.core import Network, to_fraction
from nncert.errors import InvalidArgument

__all__ = ["euler_exact", "residual_dropout_network"]

Mat = Sequence[Sequence[Fraction]]


def _validate(A: Mat, b: Sequence[Fraction], W: Mat, masks: Sequence[Sequence[int]], q: Fraction) -> tuple[int, int]:
    p = len(A)
    if p == 0 or len(b) != p or not W or any(len(row) != p for row in W):
        raise InvalidArgument("A must be (p, d), b (p,), W (d, p)")
    d = len(A[0])
    if len(W) != d or any(len(row) != d for row in A):
        raise InvalidArgument("A must be (p, d) and W (d, p) with the same d")
    if not 0 < q <= 1:
        raise InvalidArgument(f"q={q} must be in (0, 1]")
    for k, m in enumerate(masks):
        if len(m) != p or any(v not in (0, 1) for v in m):
            raise InvalidArgument(f"masks[{k}] must hold {p} entries 0/1")
    return p, d


def euler_exact(A: Mat, b: Sequence[Fraction], W: Mat, masks: Sequence[Sequence[int]], q: object, h: object,
                x: Sequence[object]) -> tuple[Fraction, ...]:
    """Exact Euler (``dt = h``) of the random-batch ReLU field with HT weights ``m_i / pi_i``, ``pi_i = q``.

    >>> euler_exact([[1]], [0], [[1]], [[1], [0]], "1/2", "1/2", [1])
    (Fraction(2, 1),)
    """
    q_, h_ = to_fraction(q, "q"), to_fraction(h, "h")
    p, d = _validate(A, b, W, masks, q_)
    state = [to_fraction(v, "x") for v in x]
    if len(state) != d:
        raise InvalidArgument(f"x has {len(state)} coordinates, expected {d}")
    for m in masks:
        act = [max(Fraction(0), sum((A[i][a] * state[a] for a in range(d)), Fraction(b[i]))) for i in range(p)]
        c = [Fraction(m[i]) / q_ for i in range(p)]
        state = [state[a] + h_ * sum((W[a][i] * c[i] * act[i] for i in range(p)), Fraction(0)) for a in range(d)]
    return tuple(state)


def residual_dropout_network(A: Mat, b: Sequence[Fraction], W: Mat, masks: Sequence[Sequence[int]], q: object,
                             h: object) -> Network:
    """The ``K = len(masks)`` residual dropout layers as one exact ReLU :class:`Network`.

    Hidden layer ``k`` holds ``[relu(A x_k + b); relu(x_k); relu(-x_k)]``; the next affine map forms
    ``x_{k+1} = relu(x_k) - relu(-x_k) + h W diag(m_k / q) relu(A x_k + b)`` and feeds it on.

    >>> net = residual_dropout_network([[1]], [0], [[1]], [[1], [0]], "1/2", "1/2")
    >>> net.depth, net.width, net([1])
    (2, 3, (Fraction(2, 1),))
    """
    q_, h_ = to_fraction(q, "q"), to_fraction(h, "h")
    p, d = _validate(A, b, W, masks, q_)
    if not masks:
        raise InvalidArgument("need at least one mask (one Euler step)")
    A_ = [[Fraction(v) for v in row] for row in A]
    W_ = [[Fraction(v) for v in row] for row in W]
    eye = [[Fraction(int(a == c)) for c in range(d)] for a in range(d)]
    pre = A_ + eye + [[-v for v in row] for row in eye]        # (p + 2d, d): rows acting on x
    pre_b = [Fraction(v) for v in b] + [Fraction(0)] * (2 * d)

    def out_map(m: Sequence[int]) -> list[list[Fraction]]:  # (d, p + 2d): x_next from hidden units
        return [[h_ * W_[a][i] * Fraction(m[i]) / q_ for i in range(p)] + eye[a] + [-v for v in eye[a]] for a in range(d)]

    weights, biases = [pre], [pre_b]
    for m in masks[:-1]:
        O = out_map(m)
        weights.append([[sum((pre[r][a] * O[a][c] for a in range(d)), Fraction(0)) for c in range(p + 2 * d)]
                        for r in range(p + 2 * d)])
        biases.append(list(pre_b))
    weights.append(out_map(masks[-1]))
    biases.append([Fraction(0)] * d)
    return Network.from_rows(weights, biases)
