"""Integrators for random-batch neural ODEs on grids aligned with the switching times (numeric, float64).

``random_batch.md`` section 5. The switching grid is ``t_k = k h`` with ``K = T / h`` an integer and the
numerical step ``dt`` divides ``h`` (``h / dt`` an integer); anything else is rejected with
:class:`~nncert.errors.InvalidArgument` (times are compared exactly, as Fractions). Batch ``B_k`` is
drawn once for the switching interval ``[t_{k-1}, t_k)`` and held for every numerical step inside it
and for every Runge-Kutta stage of such a step, including the last stage evaluated at ``t_k`` itself.

An *ensemble* of ``K`` schedules is integrated at once: ``masks[k, j]`` (bool, shape (K, n_switch, p))
is schedule ``k``'s batch on interval ``j``; the field is evaluated with the compacted neuron lists and
weights ``1/pi_i`` (compacted by :func:`_compact`, so the cost follows ``|B|``). The full model
is the one-batch special case (``masks=None``).

The field is any object with ``p``, ``d`` and ``eval(t, X, idx=None, wts=None)`` (duck typed).

Examples
--------
>>> import numpy as np
>>> class Lin:                      # f_0 = f_1 = x / 2, so F(x) = x
...     p, d = 2, 1
...     def eval(self, t, X, idx=None, wts=None):
...         if idx is None:
...             return X
...         return X * wts.sum(axis=1)[:, None, None] / 2
>>> g = make_grid(1, "1/4", "1/16")
>>> tr = integrate(Lin(), np.ones((1, 1)), g, "rk4")
>>> bool(abs(tr.states[-1, 0, 0, 0] - np.e) < 1e-6)
True
>>> make_grid(1, "0.3", "0.1")
Traceback (most recent call last):
...
nncert.errors.InvalidArgument: T/h = 10/3 is not an integer (T=1, h=3/10): the switching grid must end at T
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from nncert.core import fmt, to_fraction
from nncert.errors import InvalidArgument

__all__ = ["Grid", "make_grid", "Trajectory", "integrate", "METHODS"]

METHODS = ("euler", "rk4")


def _exact(value: object, where: str) -> Fraction:
    if isinstance(value, float):
        if not np.isfinite(value):
            raise InvalidArgument(f"{where}={value} is not finite")
        return Fraction(value)  # exact binary value; 0.125 is exactly 1/8
    return to_fraction(value, where)


@dataclass(frozen=True)
class Grid:
    """Aligned grid: ``T``, switching step ``h``, numerical step ``dt`` (exact), with ``T/h`` and ``h/dt`` integers."""

    T: Fraction
    h: Fraction
    dt: Fraction

    @property
    def n_switch(self) -> int:
        """Number of switching intervals ``T / h``."""
        return int(self.T / self.h)

    @property
    def sub(self) -> int:
        """Numerical steps per switching interval ``h / dt``."""
        return int(self.h / self.dt)

    @property
    def n_steps(self) -> int:
        """Total numerical steps ``T / dt``."""
        return self.n_switch * self.sub


def make_grid(T: object, h: object, dt: object | None = None) -> Grid:
    """Validated aligned grid; ``dt`` defaults to ``h``. Floats are taken at their exact binary value.

    >>> make_grid(1, "1/8", "1/64").n_steps
    64
    >>> make_grid(1, "1/8", "1/20")
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidArgument: h/dt = 5/2 is not an integer (h=1/8, dt=1/20): the numerical grid must contain every switching time
    """
    T_, h_ = _exact(T, "T"), _exact(h, "h")
    dt_ = h_ if dt is None else _exact(dt, "dt")
    for name, v in (("T", T_), ("h", h_), ("dt", dt_)):
        if v <= 0:
            raise InvalidArgument(f"{name}={fmt(v)} must be > 0")
    if (T_ / h_).denominator != 1:
        raise InvalidArgument(
            f"T/h = {fmt(T_ / h_)} is not an integer (T={fmt(T_)}, h={fmt(h_)}): the switching grid must end at T"
        )
    if (h_ / dt_).denominator != 1:
        raise InvalidArgument(
            f"h/dt = {fmt(h_ / dt_)} is not an integer (h={fmt(h_)}, dt={fmt(dt_)}): "
            "the numerical grid must contain every switching time"
        )
    if T_ / dt_ > 10**8:
        raise InvalidArgument(f"T/dt = {fmt(T_ / dt_)} steps is too many (limit 10^8)")
    return Grid(T_, h_, dt_)


@dataclass(frozen=True)
class Trajectory:
    """States at the recorded times: ``times`` (R,) float, ``states`` (R, K, n, d)."""

    times: np.ndarray
    states: np.ndarray
    grid: Grid


def _compact(masks: np.ndarray, inv_pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    K, p = masks.shape
    counts = masks.sum(axis=1)
    m = max(int(counts.max()) if K else 0, 1)
    order = np.argsort(~masks, axis=1, kind="stable")[:, :m]
    valid = np.arange(m)[None, :] < counts[:, None]
    idx = np.where(valid, order, 0).astype(np.intp)
    return idx, np.where(valid, inv_pi[idx], 0.0)


def integrate(
    field: Any,
    x0: Any,
    grid: Grid,
    method: str = "rk4",
    masks: Any = None,
    pi: Any = None,
    record_every: object | None = None,
) -> Trajectory:
    """Integrate ``x' = F^h(t, x)`` (or the full ``F`` when ``masks`` is None) on the aligned ``grid``.

    Parameters
    ----------
    field : object with ``p``, ``d``, ``eval(t, X, idx, wts)``
    x0 : array (n, d) (shared by every schedule) or (K, n, d)
    grid : :class:`Grid` from :func:`make_grid`
    method : ``"euler"`` or ``"rk4"``
    masks : bool array (K, n_switch, p) or (n_switch, p) for one schedule; None for the full model
    pi : inclusion probabilities (p,) (required with ``masks``); weights are ``mask / pi``
    record_every : recording step (exact; a multiple of ``dt``); default ``h``

    Returns
    -------
    Trajectory with ``states[r]`` the ensemble at time ``r * record_every``.
    """
    if method not in METHODS:
        raise InvalidArgument(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    X = np.asarray(x0, dtype=np.float64)
    if X.ndim == 2:
        X = X[None]
    if X.ndim != 3 or X.shape[-1] != field.d:
        raise InvalidArgument(f"x0 has shape {np.shape(x0)}, expected (n, {field.d}) or (K, n, {field.d})")
    rec = grid.h if record_every is None else _exact(record_every, "record_every")
    if rec <= 0 or (rec / grid.dt).denominator != 1 or (grid.T / rec).denominator != 1:
        raise InvalidArgument(f"record_every={fmt(rec)} must be a multiple of dt={fmt(grid.dt)} dividing T={fmt(grid.T)}")
    rec_steps = int(rec / grid.dt)
    if masks is not None:
        M = np.asarray(masks)
        if M.ndim == 2:
            M = M[None]
        if M.ndim != 3 or M.shape[1:] != (grid.n_switch, field.p):
            raise InvalidArgument(f"masks have shape {np.shape(masks)}, expected (K, {grid.n_switch}, {field.p})")
        if M.dtype != np.bool_:
            if not np.all((M == 0) | (M == 1)):
                raise InvalidArgument("masks must be 0/1 or bool")
            M = M.astype(bool)
        if pi is None:
            raise InvalidArgument("pi is required with masks")
        pif = np.asarray([float(v) for v in pi], dtype=np.float64)
        if pif.shape != (field.p,) or not np.all(pif > 0):
            raise InvalidArgument(f"pi must have {field.p} entries, all > 0")
        inv_pi = 1.0 / pif
        K = M.shape[0]
        if X.shape[0] == 1 and K > 1:
            X = np.repeat(X, K, axis=0)
        elif X.shape[0] != K:
            raise InvalidArgument(f"x0 has {X.shape[0]} ensemble members but masks have {K}")
    else:
        M = None
    X = X.copy()
    dt = float(grid.dt)
    times = [0.0]
    out = [X.copy()]
    step = 0
    for j in range(grid.n_switch):
        if M is None:
            idx = wts = None
        else:
            idx, wts = _compact(M[:, j, :], inv_pi)
        for s in range(grid.sub):
            t = float(grid.dt * step)
            if method == "euler":
                X = X + dt * field.eval(t, X, idx, wts)
            else:
                k1 = field.eval(t, X, idx, wts)
                k2 = field.eval(t + dt / 2, X + (dt / 2) * k1, idx, wts)
                k3 = field.eval(t + dt / 2, X + (dt / 2) * k2, idx, wts)
                k4 = field.eval(t + dt, X + dt * k3, idx, wts)
                X = X + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4)
            step += 1
            if step % rec_steps == 0:
                times.append(float(grid.dt * step))
                out.append(X.copy())
    return Trajectory(np.array(times), np.stack(out), grid)
