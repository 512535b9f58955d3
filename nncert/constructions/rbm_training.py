"""Training with a fixed batch schedule: objective, hand-written discrete adjoint, gradient descent (numeric).

``random_batch.md`` section 6.7. Controls are piecewise constant on ``L`` equal pieces of ``[0, T]``:
``u = (A (L, p, d), b (L, p), W (L, d, p))``, field ``F = sum_i c_i W[:, i] sigma(A[i].x + b[i])`` with
``c_i = m_i / pi_i`` on the switching interval containing the step (``c = 1`` for the full model).
Forward Euler with step ``dt`` (``T/dt`` and ``h/dt`` integers, control pieces aligned with ``dt``).

Discrete objective (left rectangle rule in time)::

    J = sum_m |x_m(T) - y_m|^2 + beta dt sum_{n<N} sum_m |x_m,n - y_m|^2
        + (alpha/2) dt sum_{n<N} (|A_l(n)|_F^2 + |b_l(n)|^2 + |W_l(n)|_F^2)

Its exact gradient is the discrete adjoint (Pontryagin): ``lam_N = 2 (x_N - y)``,
``lam_n = lam_{n+1} + dt (d_x F_n)^T lam_{n+1} + 2 beta dt (x_n - y)`` and
``dJ/du_l = sum_{n in piece l} dt ((d_u F_n)^T lam_{n+1} + alpha u_l)``, written here in numpy for an
ensemble of schedules at once. Everything is float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from nncert.constructions.rbm_fields import ACTIVATIONS, activation
from nncert.errors import InvalidArgument
from nncert.verify.rbm_dynamics import make_grid

__all__ = ["Problem", "Controls", "objective", "objective_and_gradient", "fd_check", "gradient_descent",
           "random_controls", "schedule_weights", "training_deviation", "adam"]


@dataclass(frozen=True)
class Controls:
    """Piecewise-constant controls ``A`` (L, p, d), ``b`` (L, p), ``W`` (L, d, p); arithmetic on the flat vector."""

    A: np.ndarray
    b: np.ndarray
    W: np.ndarray

    def flat(self) -> np.ndarray:
        """All parameters as one vector."""
        return np.concatenate([self.A.ravel(), self.b.ravel(), self.W.ravel()])

    def like(self, vec: np.ndarray) -> "Controls":
        """Controls of the same shapes from a flat vector."""
        a, bb = self.A.size, self.b.size
        return Controls(vec[:a].reshape(self.A.shape), vec[a:a + bb].reshape(self.b.shape), vec[a + bb:].reshape(self.W.shape))


@dataclass(frozen=True)
class Problem:
    """Data ``X`` (N, d), targets ``Y`` (N, d), horizon, steps, weights of the objective, activation."""

    X: np.ndarray
    Y: np.ndarray
    T: Fraction = Fraction(1)
    dt: Fraction = Fraction(1, 64)
    L: int = 4
    beta: float = 0.1
    alpha: float = 1e-3
    act: str = "tanh"

    def __post_init__(self) -> None:
        activation(self.act)
        g = make_grid(self.T, self.T, self.dt)
        if g.n_steps % self.L:
            raise InvalidArgument(f"T/dt = {g.n_steps} steps is not divisible into L={self.L} control pieces")
        if np.shape(self.X) != np.shape(self.Y) or np.ndim(self.X) != 2:
            raise InvalidArgument(f"X and Y must have the same shape (N, d), got {np.shape(self.X)} and {np.shape(self.Y)}")

    @property
    def n_steps(self) -> int:
        return int(self.T / self.dt)


def random_controls(p: int, d: int, L: int, *, seed: int = 0, scale: float = 1.0) -> Controls:
    """Seeded random controls (``W`` scaled by ``1/sqrt(p)``)."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 606]))
    return Controls(rng.normal(size=(L, p, d)) * scale, rng.normal(size=(L, p)) * scale,
                    rng.normal(size=(L, d, p)) * scale / np.sqrt(p))


def schedule_weights(prob: Problem, p: int, masks: np.ndarray | None, pi: Sequence[Any] | None, h: object) -> np.ndarray:
    """HT weights per numerical step, shape (K, n_steps, p) (ones for the full model, ``masks=None``).

    ``masks`` is (K, T/h, p); the batch of switching interval ``j`` is used by every step inside it.
    """
    g = make_grid(prob.T, h, prob.dt)
    if masks is None:
        return np.ones((1, g.n_steps, p))
    M = np.asarray(masks, dtype=float)
    if M.ndim == 2:
        M = M[None]
    if M.shape[1:] != (g.n_switch, p):
        raise InvalidArgument(f"masks have shape {np.shape(masks)}, expected (K, {g.n_switch}, {p})")
    c = M / np.array([float(v) for v in pi])
    return np.repeat(c, g.sub, axis=1)


def objective_and_gradient(prob: Problem, u: Controls, C: np.ndarray, grad: bool = True) -> tuple[np.ndarray, Controls | None]:
    """``J`` for each schedule (K,) and, with ``grad``, the adjoint gradient (arrays with a leading K axis)."""
    sigma, dsigma = ACTIVATIONS[prob.act]
    K, N_steps, p = C.shape
    dt = float(prob.dt)
    per = N_steps // prob.L
    X = np.broadcast_to(prob.X, (K,) + prob.X.shape).astype(float)
    Y = prob.Y
    xs, zs = [], []
    J = np.zeros(K)
    for n in range(N_steps):
        l = n // per
        Z = X @ u.A[l].T + u.b[l]  # (K, N, p)
        S = sigma(Z)
        xs.append(X)
        zs.append(Z)
        J += prob.beta * dt * np.sum((X - Y) ** 2, axis=(1, 2))
        X = X + dt * np.matmul(S * C[:, n, None, :], u.W[l].T)
    J += np.sum((X - Y) ** 2, axis=(1, 2))
    reg = 0.5 * prob.alpha * dt * per * (np.sum(u.A ** 2) + np.sum(u.b ** 2) + np.sum(u.W ** 2))
    J = J + reg
    if not grad:
        return J, None
    gA = np.zeros((K,) + u.A.shape)
    gb = np.zeros((K,) + u.b.shape)
    gW = np.zeros((K,) + u.W.shape)
    lam = 2.0 * (X - Y)
    for n in range(N_steps - 1, -1, -1):
        l = n // per
        Xn, Z = xs[n], zs[n]
        S, D = sigma(Z), dsigma(Z)
        c = C[:, n, None, :]
        G = np.matmul(lam, u.W[l]) * c * D  # (K, N, p): c_i sigma'(z_i) (W_i . lam)
        gW[:, l] += dt * np.matmul(lam.transpose(0, 2, 1), S * c)
        gb[:, l] += dt * G.sum(axis=1)
        gA[:, l] += dt * np.matmul(G.transpose(0, 2, 1), Xn)
        lam = lam + dt * np.matmul(G, u.A[l]) + 2.0 * prob.beta * dt * (Xn - Y)
    a = prob.alpha * dt * per
    return J, Controls(gA + a * u.A, gb + a * u.b, gW + a * u.W)


def objective(prob: Problem, u: Controls, C: np.ndarray) -> np.ndarray:
    """``J`` for each schedule."""
    return objective_and_gradient(prob, u, C, grad=False)[0]


def fd_check(prob: Problem, u: Controls, C: np.ndarray, eps: float = 1e-6) -> dict[str, float]:
    """Adjoint gradient of schedule 0 vs central finite differences in every coordinate.

    Returns ``rel_err = |g_adj - g_fd| / |g_fd|`` (Euclidean norms), the max abs difference and the size.
    """
    C0 = C[:1]
    _, g = objective_and_gradient(prob, u, C0)
    ga = Controls(g.A[0], g.b[0], g.W[0]).flat()
    v = u.flat()
    fd = np.empty_like(v)
    for k in range(v.size):
        e = np.zeros_like(v)
        e[k] = eps
        fd[k] = (objective(prob, u.like(v + e), C0)[0] - objective(prob, u.like(v - e), C0)[0]) / (2 * eps)
    return {"rel_err": float(np.linalg.norm(ga - fd) / np.linalg.norm(fd)), "max_abs": float(np.max(np.abs(ga - fd))),
            "n": int(v.size), "grad_norm": float(np.linalg.norm(fd))}


def gradient_descent(prob: Problem, u0: Controls, C_sched: Any, *, iters: int = 50, lr: float = 0.05,
                     fresh: Any = None) -> tuple[list[np.ndarray], np.ndarray]:
    """Plain GD from ``u0`` for each schedule of ``C_sched`` (K, n_steps, p), all at once.

    ``fresh``: a callable ``k -> C`` giving new weights for iteration ``k`` (the fresh-schedule-per-step
    protocol, a *different* protocol from the fixed schedule). Returns the iterates' flat vectors per
    iteration, each (K, P), and the final objectives (K,) under the schedule(s) used.
    """
    K = C_sched.shape[0]
    V = np.broadcast_to(u0.flat(), (K, u0.flat().size)).copy()
    hist = [V.copy()]
    J = np.zeros(K)
    for it in range(iters):
        C = fresh(it) if fresh is not None else C_sched
        # one ensemble pass per iteration: each member has its own controls, so loop members (small K)
        grads = np.empty_like(V)
        for k in range(K):
            uk = u0.like(V[k])
            Jk, g = objective_and_gradient(prob, uk, C[k:k + 1])
            grads[k] = Controls(g.A[0], g.b[0], g.W[0]).flat()
            J[k] = Jk[0]
        V = V - lr * grads
        hist.append(V.copy())
    final = np.array([objective(prob, u0.like(V[k]), (fresh(iters) if fresh is not None else C_sched)[k:k + 1])[0]
                      for k in range(K)])
    return hist, final


def training_deviation(
    *, p: int = 16, n_points: int = 16, scheme: str = "uniform:8", hs: Sequence[Fraction] | None = None,
    dt: Fraction = Fraction(1, 64), L: int = 4, n_schedules: int = 16, iters: int = 40, lr: float = 0.05,
    seed: int = 0, act: str = "tanh", fresh: bool = True,
) -> dict[str, Any]:
    """The section 6.7 measurements vs ``h`` (fixed schedule across GD iterations; optional fresh variant).

    Per ``h``: at the start control ``u0``, strong ``E (J^h - J)^2`` and weak ``|E J^h - J|`` (with its
    standard error); after ``iters`` GD steps from ``u0``: iterate deviation ``E max_k |u^h_k - u_k|^2``,
    control gap ``E |u^h - u|^2`` and cost gap ``E |J^h(u^h) - J(u)|``. Fresh-schedule-per-step variant:
    ``E |u^fresh - u|^2`` (a different protocol: a new schedule is drawn at every iteration).
    """
    from nncert.constructions.rbm_experiments import fit_slope, parse_scheme, schedule_rng, two_circles

    hs = list(hs) if hs is not None else [Fraction(1, 2**k) for k in range(1, 7)]
    X, _, Y = two_circles(n_points, seed=seed)
    prob = Problem(X, Y, dt=Fraction(dt), L=L, act=act)
    u0 = random_controls(p, 2, L, seed=seed)
    sch = parse_scheme(scheme, p)
    Cfull = schedule_weights(prob, p, None, None, hs[0])
    J0 = float(objective(prob, u0, Cfull)[0])
    hist_full, Jfull_final = gradient_descent(prob, u0, Cfull, iters=iters, lr=lr)
    u_full = hist_full[-1][0]
    rows, first = [], []
    for j, h in enumerate(hs):
        g = make_grid(prob.T, h, prob.dt)
        masks = np.stack([sch.sample_many(schedule_rng(seed, 50, j, k), g.n_switch) for k in range(n_schedules)])
        C = schedule_weights(prob, p, masks, sch.pi(), h)
        Jh = objective(prob, u0, C)
        hist, Jfin = gradient_descent(prob, u0, C, iters=iters, lr=lr)
        dev = np.max([np.sum((hk - hf[0]) ** 2, axis=1) for hk, hf in zip(hist, hist_full)], axis=0)  # (K,)
        ctrl = np.sum((hist[-1] - u_full) ** 2, axis=1)
        row = {"h": Fraction(h), "J": J0, "strong": float(np.mean((Jh - J0) ** 2)), "weak": float(abs(Jh.mean() - J0)),
               "weak_se": float(Jh.std(ddof=1) / np.sqrt(len(Jh))), "iterate_dev": float(dev.mean()),
               "control_gap": float(ctrl.mean()), "cost_gap": float(np.mean(np.abs(Jfin - Jfull_final[0]))),
               "J_first": float(Jh[0]), "masks_first": masks[0]}
        if fresh:
            def fresh_C(it: int, j: int = j, g: Any = g) -> np.ndarray:
                m = np.stack([sch.sample_many(schedule_rng(seed, 60, j, k, it), g.n_switch) for k in range(n_schedules)])
                return schedule_weights(prob, p, m, sch.pi(), h)

            hist_f, _ = gradient_descent(prob, u0, C, iters=iters, lr=lr, fresh=fresh_C)
            row["fresh_control_gap"] = float(np.mean(np.sum((hist_f[-1] - u_full) ** 2, axis=1)))
        rows.append(row)
        first.append(masks[0])
    hf = [float(r["h"]) for r in rows]
    keys = ["strong", "weak", "iterate_dev", "control_gap", "cost_gap"] + (["fresh_control_gap"] if fresh else [])
    slopes = {k: fit_slope(hf, [max(r[k], 1e-300) for r in rows])[0] for k in keys}
    fd_masks = sch.sample_many(schedule_rng(seed, 70), make_grid(prob.T, hs[-1], prob.dt).n_switch)
    C_fd = schedule_weights(prob, p, fd_masks, sch.pi(), hs[-1])
    fd = fd_check(prob, u0, C_fd)
    _, g_adj = objective_and_gradient(prob, u0, C_fd)
    return {"problem": prob, "u0": u0, "scheme": sch, "rows": rows, "slopes": slopes, "fd": fd, "fd_masks": fd_masks,
            "fd_h": hs[-1], "grad_adjoint": Controls(g_adj.A[0], g_adj.b[0], g_adj.W[0]).flat(),
            "J_full_final": float(Jfull_final[0]), "u_full": u_full, "iters": iters, "lr": lr,
            "n_schedules": n_schedules, "seed": seed}


def adam(prob: Problem, u0: Controls, C: np.ndarray, *, iters: int = 300, lr: float = 0.05) -> tuple[Controls, list[float]]:
    """Adam on the objective of schedule 0 of ``C`` with the adjoint gradient (used by the demo)."""
    v = u0.flat().copy()
    m1, m2 = np.zeros_like(v), np.zeros_like(v)
    hist = []
    for it in range(1, iters + 1):
        J, g = objective_and_gradient(prob, u0.like(v), C[:1])
        hist.append(float(J[0]))
        gv = Controls(g.A[0], g.b[0], g.W[0]).flat()
        m1 = 0.9 * m1 + 0.1 * gv
        m2 = 0.999 * m2 + 0.001 * gv * gv
        v = v - lr * (m1 / (1 - 0.9**it)) / (np.sqrt(m2 / (1 - 0.999**it)) + 1e-8)
    return u0.like(v), hist
