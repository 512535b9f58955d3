"""Full-batch Adam training of width-2 ReLU networks with an L2 penalty, many runs at once (numpy).

NUMERIC PATH (float64): used only by ``nncert experiment regularized`` to compare what training
reaches with the certified exact bounds; nothing here enters a certificate.

Runs are batched: run ``r`` has its own seed (initialisation) and lambda, and all runs share the
data and the architecture ``d -> 2 -> ... -> 2 -> 1`` (``depth`` hidden layers), so one step is a few
batched matrix products. Objective of run r:
``J_r(theta) = (1/N) sum_i (f_theta(x_i) - y_i)^2 + lambda_r * ||theta||^2`` where ``||theta||^2`` sums the
squares of all weights and (``penalize_biases=True``) biases.
Initialisation: He-normal weights (std ``sqrt(2 / fan_in)``) from ``numpy.random.default_rng(seed)``
per run (runs with the same seed start from the same point); biases ``0.1`` (``init="he"``) or, by
default (``init="active"``), chosen from the data so that every hidden neuron starts active on 95% of
the points (the 5% quantile of its pre-activation is 0): deep width-2 nets with plain He
initialisation mostly start or fall into a dead, constant network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from nncert.errors import InvalidArgument

__all__ = ["TrainResult", "train_width2"]


@dataclass(frozen=True)
class TrainResult:
    """Final values per run (arrays of shape (R,)), float64."""

    seeds: np.ndarray
    lambdas: np.ndarray
    loss: np.ndarray
    norm_sq: np.ndarray
    norm_sq_weights: np.ndarray
    objective: np.ndarray
    rounded_accuracy: np.ndarray
    steps: int


def train_width2(
    X: np.ndarray,
    y: np.ndarray,
    depth: int,
    seeds: Sequence[int],
    lambdas: Sequence[float],
    *,
    steps: int = 4000,
    lr: float = 1e-2,
    penalize_biases: bool = True,
    init: str = "active",
    progress: Callable[[float], None] | None = None,
) -> TrainResult:
    """Train ``len(seeds) * len(lambdas)`` width-2 networks of ``depth`` hidden layers (Adam, full batch).

    The learning rate decays as ``lr * 0.1**(step/steps)`` (tenfold over the run).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([0.0, 1.0, 0.0])
    >>> r = train_width2(X, y, 2, seeds=[0], lambdas=[1e-3], steps=300)
    >>> r.loss.shape, bool(np.all(np.isfinite(r.objective)))
    ((1,), True)
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise InvalidArgument(f"X must be (N, d) and y (N,), got {X.shape} and {y.shape}")
    if depth < 1 or steps < 1 or not seeds or not lambdas:
        raise InvalidArgument("need depth >= 1, steps >= 1, at least one seed and one lambda")
    n, d = X.shape
    runs = [(s, lam) for lam in lambdas for s in seeds]
    R = len(runs)
    dims = [d] + [2] * depth + [1]
    Ws = [np.empty((R, dims[k + 1], dims[k])) for k in range(depth + 1)]
    bs = [np.full((R, dims[k + 1]), 0.1) for k in range(depth + 1)]
    if init not in ("active", "he"):
        raise InvalidArgument(f"init must be 'active' or 'he', got {init!r}")
    for r, (s, _) in enumerate(runs):
        rng = np.random.default_rng(s)
        h = X
        for k in range(depth + 1):
            Ws[k][r] = rng.normal(0.0, np.sqrt(2.0 / dims[k]), size=(dims[k + 1], dims[k]))
            if init == "active" and k < depth:
                # data-dependent: each hidden neuron starts active on ~95% of the points
                pre = h @ Ws[k][r].T
                bs[k][r] = -np.quantile(pre, 0.05, axis=0)
                h = np.maximum(pre + bs[k][r], 0.0)
    lam = np.array([lam for _, lam in runs])[:, None, None]
    lam_b = lam[:, :, 0] if penalize_biases else np.zeros((R, 1))
    params = Ws + bs
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-12
    Xr = np.broadcast_to(X, (R, n, d))

    def forward() -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        hs, zs = [Xr], []
        for k in range(depth + 1):
            z = hs[-1] @ Ws[k].transpose(0, 2, 1) + bs[k][:, None, :]
            if k < depth:
                zs.append(z)
                hs.append(np.maximum(z, 0.0))
            else:
                out = z[:, :, 0]
        return hs, zs, out

    for step in range(1, steps + 1):
        hs, zs, out = forward()
        err = out - y[None, :]
        dz = (2.0 / n) * err[:, :, None]
        grads_w: list[np.ndarray] = [None] * (depth + 1)  # type: ignore[list-item]
        grads_b: list[np.ndarray] = [None] * (depth + 1)  # type: ignore[list-item]
        for k in range(depth, -1, -1):
            grads_w[k] = dz.transpose(0, 2, 1) @ hs[k] + 2.0 * lam * Ws[k]
            grads_b[k] = dz.sum(axis=1) + 2.0 * lam_b * bs[k]
            if k > 0:
                dz = (dz @ Ws[k]) * (zs[k - 1] > 0)
        rate = lr * 0.1 ** (step / steps)
        c1, c2 = 1 - b1**step, 1 - b2**step
        for i, g in enumerate(grads_w + grads_b):
            m1[i] = b1 * m1[i] + (1 - b1) * g
            m2[i] = b2 * m2[i] + (1 - b2) * g * g
            params[i] -= rate * (m1[i] / c1) / (np.sqrt(m2[i] / c2) + eps)
        if progress is not None and step % 200 == 0:
            progress(step / steps)
    _, _, out = forward()
    err = out - y[None, :]
    loss = (err**2).mean(axis=1)
    wsq = sum((w**2).sum(axis=(1, 2)) for w in Ws)
    bsq = sum((b**2).sum(axis=1) for b in bs)
    total = wsq + bsq
    pen = total if penalize_biases else wsq
    lam_v = lam[:, 0, 0]
    acc = (np.abs(err) < 0.5).mean(axis=1)
    return TrainResult(np.array([s for s, _ in runs]), lam_v, loss, total, wsq, loss + lam_v * pen, acc, steps)
