"""Flow matching on the design note's default data, and the particle pushforward TV experiment (numeric).

``random_batch.md`` section 7: ``rho_0 = (2/pi)(1 - |x - c|^2)_+`` with ``c = (-1, -1)``; target an equal
mixture of three Gaussians. Conditional flow matching with the independent coupling
``x_t = (1 - t) x0 + t x1`` and velocity target ``x1 - x0``; the field is
:class:`~nncert.constructions.rbm_fields.FlowField` trained by Adam with hand-written gradients.
Everything is float64 and seeded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from nncert.constructions.rbm_fields import FlowField
from nncert.errors import InvalidArgument
from nncert.verify.rbm_dynamics import integrate, make_grid

__all__ = ["sample_rho0", "sample_target", "train_flow", "FlowTrainResult", "particle_tv", "hist_tv", "TARGET_BOX"]

MEANS = np.array([[6.0, 0.0], [4.5, 3.0], [6.0, 2.0]])
COVS = np.array([[[0.2, 0.05], [0.05, 0.2]], [[0.2, 0.05], [0.05, 0.2]], [[0.05, 0.0], [0.0, 0.05]]])
CENTER = np.array([-1.0, -1.0])
#: histogram box for densities near the target
TARGET_BOX = ((2.5, 8.0), (-2.0, 4.5))


def sample_rho0(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` samples of ``(2/pi)(1 - |x - c|^2)_+`` (radius CDF ``2 r^2 - r^4``, inverted exactly).

    >>> x = sample_rho0(np.random.default_rng(0), 1000)
    >>> bool(np.all(np.linalg.norm(x - CENTER, axis=1) <= 1))
    True
    """
    u = rng.random(n)
    r = np.sqrt(1.0 - np.sqrt(1.0 - u))
    a = rng.random(n) * 2 * np.pi
    return CENTER + np.c_[r * np.cos(a), r * np.sin(a)]


def sample_target(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` samples of the three-Gaussian mixture (equal weights)."""
    comp = rng.integers(0, 3, size=n)
    L = np.linalg.cholesky(COVS)
    z = rng.normal(size=(n, 2))
    return MEANS[comp] + np.einsum("nij,nj->ni", L[comp], z)


@dataclass
class FlowTrainResult:
    """Trained field and its loss history."""

    field: FlowField
    losses: list[float]
    seconds: float


def _loss_grad(params: dict[str, np.ndarray], X: np.ndarray, t: np.ndarray, V: np.ndarray) -> tuple[float, dict]:
    A0, b0, b1, W0 = params["A0"], params["b0"], params["b1"], params["W0"]
    Z = X @ A0.T + b0 + t[:, None] * b1
    H = np.tanh(Z)
    R = H @ W0.T - V
    n = X.shape[0]
    loss = float(np.sum(R * R) / n)
    dF = 2.0 * R / n
    gW = dF.T @ H
    dZ = (dF @ W0) * (1.0 - H * H)
    return loss, {"A0": dZ.T @ X, "b0": dZ.sum(0), "b1": dZ.T @ t, "W0": gW}


def train_flow(p: int = 48, *, steps: int = 1500, batch: int = 2048, lr: float = 0.01, seed: int = 0) -> FlowTrainResult:
    """Conditional flow matching with Adam (gradients written out by hand).

    >>> r = train_flow(8, steps=20, batch=64)
    >>> r.field.p, len(r.losses)
    (8, 20)
    """
    if int(p) != p or p < 1 or steps < 1 or batch < 1:
        raise InvalidArgument(f"p, steps and batch must be positive (got p={p}, steps={steps}, batch={batch})")
    t0 = time.perf_counter()
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 31337]))
    params = {"A0": rng.normal(size=(p, 2)) * 0.5, "b0": rng.normal(size=p), "b1": rng.normal(size=p) * 2.0,
              "W0": rng.normal(size=(2, p)) * (2.0 / np.sqrt(p))}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v2 = {k: np.zeros_like(v) for k, v in params.items()}
    losses = []
    b1_, b2_, eps = 0.9, 0.999, 1e-8
    for it in range(1, steps + 1):
        x0, x1, t = sample_rho0(rng, batch), sample_target(rng, batch), rng.random(batch)
        X = (1 - t)[:, None] * x0 + t[:, None] * x1
        loss, g = _loss_grad(params, X, t, x1 - x0)
        losses.append(loss)
        step = lr * (0.1 if it > 0.8 * steps else 1.0)
        for k in params:
            m[k] = b1_ * m[k] + (1 - b1_) * g[k]
            v2[k] = b2_ * v2[k] + (1 - b2_) * g[k] ** 2
            params[k] = params[k] - step * (m[k] / (1 - b1_**it)) / (np.sqrt(v2[k] / (1 - b2_**it)) + eps)
    return FlowTrainResult(FlowField(**params), losses, time.perf_counter() - t0)


def hist_tv(a: np.ndarray, b: np.ndarray, bins: int, box: Sequence[Sequence[float]] = TARGET_BOX) -> float:
    """TV = L1/2 between the 2-D histograms (``bins`` per axis on ``box``, plus one overflow cell) of two samples."""
    def h(x: np.ndarray) -> np.ndarray:
        H, _, _ = np.histogram2d(x[:, 0], x[:, 1], bins=bins, range=box)
        flat = H.ravel()
        return np.r_[flat, len(x) - flat.sum()] / len(x)

    return float(0.5 * np.abs(h(a) - h(b)).sum())


def particle_tv(
    fld: FlowField, scheme: Any, hs: Sequence[Fraction], *, n_particles: int = 10000, n_schedules: int = 4,
    bins: int = 40, sub: int = 4, seed: int = 0,
) -> dict[str, Any]:
    """Push ``rho_0`` particles through the full and the random-batch field (same particles, coupled).

    Per ``h``: histogram TV (and L1 = 2 TV) between the full-model and random-batch particle clouds,
    averaged over schedules; the coupling RMS ``sqrt(E |x^h(T) - x(T)|^2)`` (an upper bound on W2);
    the noise floor is the histogram TV between two independent halves of the full-model cloud.
    """
    from nncert.constructions.rbm_experiments import fit_slope, schedule_rng

    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 555]))
    x0 = sample_rho0(rng, n_particles)
    rows = []
    for j, h in enumerate(hs):
        g = make_grid(1, h, Fraction(h) / sub)
        full = integrate(fld, x0, g, "rk4", record_every=g.T).states[-1, 0]
        masks = np.stack([scheme.sample_many(schedule_rng(seed, 7, j, k), g.n_switch) for k in range(n_schedules)])
        rb = integrate(fld, x0, g, "rk4", masks, scheme.pi(), record_every=g.T).states[-1]
        tvs = [hist_tv(full, rb[k], bins) for k in range(n_schedules)]
        rms = float(np.sqrt(np.mean(np.sum((rb - full[None]) ** 2, axis=-1))))
        rows.append({"h": Fraction(h), "tv": float(np.mean(tvs)), "rms": rms, "full": full, "rb": rb[0]})
    half = n_particles // 2
    floor = hist_tv(rows[-1]["full"][:half], rows[-1]["full"][half:], bins)
    hf = [float(r["h"]) for r in rows]
    many = len(rows) >= 2
    return {"rows": rows, "noise_floor": floor, "slope_tv": fit_slope(hf, [r["tv"] for r in rows])[0] if many else None,
            "slope_rms": fit_slope(hf, [r["rms"] for r in rows])[0] if many else None, "bins": bins, "box": TARGET_BOX,
            "bin_width": ((TARGET_BOX[0][1] - TARGET_BOX[0][0]) / bins, (TARGET_BOX[1][1] - TARGET_BOX[1][0]) / bins),
            "n_particles": n_particles, "n_schedules": n_schedules, "x0": x0}
