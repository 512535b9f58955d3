"""Neural-ODE fields ``F(t, x) = sum_i f_i(t, x)`` with one term per hidden neuron (numeric, float64).

Numeric path only: every value here is float64 (``random_batch.md`` section 1). A field is asked for a
*weighted* sum of its neuron contributions::

    field.eval(t, X, idx, wts)  ==  sum_j wts[k, j] * f_{idx[k, j]}(t, X[k, n])     (shape (K, n, d))

where ``X`` holds an ensemble of ``K`` copies of ``n`` states in ``R^d``, and ``idx`` / ``wts`` list,
for each ensemble member, the neurons of its batch and their Horvitz-Thompson weights ``1/pi_i``
(padding entries carry weight 0). ``idx=None`` means the full model (every neuron, weight 1). The
cost of a call is proportional to the number of listed neurons, which is what makes a random batch
cheaper than the full field.

Fields
------
* :class:`ClassificationField`: ``f_i = w_i(t) sigma(a_i(t).x + b_i(t))`` with ``sigma`` one of
  ``tanh``, ``relu``, ``gelu`` (exact-erf GeLU) and controls given by a :class:`Constant`,
  :class:`PiecewiseConstant` or :class:`TimeNetwork` control.
* :class:`FlowField`: ``f_i = W0[:, i] tanh(A0[i].x + b0[i] + b1[i] t)`` with its analytic divergence.
* :class:`ContributionField`: a user field given by a vectorized per-neuron contribution function.

Examples
--------
>>> import numpy as np
>>> F = ClassificationField.constant(np.eye(2), np.zeros(2), np.eye(2), "relu")
>>> F.eval(0.0, np.array([[[1.0, -2.0]]]))
array([[[1., 0.]]])
>>> F.eval(0.0, np.array([[[1.0, -2.0]]]), idx=np.array([[0]]), wts=np.array([[2.0]]))
array([[[2., 0.]]])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from nncert.errors import InvalidArgument

__all__ = [
    "ACTIVATIONS",
    "activation",
    "Constant",
    "PiecewiseConstant",
    "TimeNetwork",
    "ClassificationField",
    "FlowField",
    "ContributionField",
    "random_classification_field",
]


def _gelu(z: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * z * (1.0 + erf(z / np.sqrt(2.0)))


def _gelu_prime(z: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * (1.0 + erf(z / np.sqrt(2.0))) + z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


#: name -> (sigma, sigma')
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64)),
    "gelu": (_gelu, _gelu_prime),
}


def activation(name: str) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """``(sigma, sigma')`` for ``name`` in ``tanh``, ``relu``, ``gelu`` (exact-erf GeLU).

    >>> activation("sigmoid")
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidArgument: unknown activation 'sigmoid'; choose one of gelu, relu, tanh
    """
    if name not in ACTIVATIONS:
        raise InvalidArgument(f"unknown activation {name!r}; choose one of {', '.join(sorted(ACTIVATIONS))}")
    return ACTIVATIONS[name]


def _array(value: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != shape:
        raise InvalidArgument(f"{where} has shape {arr.shape}, expected {shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"{where} contains NaN or inf")
    return arr


# --------------------------------------------------------------------------------------------
# controls: t -> (A (p, d), b (p,), W (d, p))
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Constant:
    """Time-independent controls ``A`` (p, d), ``b`` (p,), ``W`` (d, p)."""

    A: np.ndarray
    b: np.ndarray
    W: np.ndarray

    def __post_init__(self) -> None:
        A = np.asarray(self.A, dtype=np.float64)
        if A.ndim != 2:
            raise InvalidArgument(f"A has shape {A.shape}, expected (p, d)")
        p, d = A.shape
        object.__setattr__(self, "A", _array(A, (p, d), "A"))
        object.__setattr__(self, "b", _array(self.b, (p,), "b"))
        object.__setattr__(self, "W", _array(self.W, (d, p), "W"))

    @property
    def shape(self) -> tuple[int, int]:
        """``(p, d)``."""
        return self.A.shape  # type: ignore[return-value]

    def at(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Controls at time ``t``."""
        return self.A, self.b, self.W


@dataclass(frozen=True)
class PiecewiseConstant:
    """Controls constant on ``[T k / L, T (k+1) / L)``: ``A`` (L, p, d), ``b`` (L, p), ``W`` (L, d, p).

    The last piece also covers ``t = T``. Aligning the pieces with the integration grid is the
    caller's business (the training module does it).
    """

    A: np.ndarray
    b: np.ndarray
    W: np.ndarray
    T: float = 1.0

    def __post_init__(self) -> None:
        A = np.asarray(self.A, dtype=np.float64)
        if A.ndim != 3:
            raise InvalidArgument(f"A has shape {A.shape}, expected (L, p, d)")
        L, p, d = A.shape
        object.__setattr__(self, "A", _array(A, (L, p, d), "A"))
        object.__setattr__(self, "b", _array(self.b, (L, p), "b"))
        object.__setattr__(self, "W", _array(self.W, (L, d, p), "W"))
        if not float(self.T) > 0:
            raise InvalidArgument(f"T must be > 0 but got T={self.T}")

    @property
    def shape(self) -> tuple[int, int]:
        """``(p, d)``."""
        return self.A.shape[1:]  # type: ignore[return-value]

    def piece(self, t: float) -> int:
        """Index of the piece containing ``t`` (clamped to ``0..L-1``)."""
        L = self.A.shape[0]
        return int(min(L - 1, max(0, np.floor(t * L / float(self.T) + 1e-9))))

    def at(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Controls at time ``t``."""
        k = self.piece(t)
        return self.A[k], self.b[k], self.W[k]


@dataclass(frozen=True)
class TimeNetwork:
    """Controls given by a small one-hidden-layer network of time with ``H`` tanh units.

    ``theta(t) = theta0 + sum_h theta1[h] * tanh(omega[h] t + phase[h])`` for ``theta`` each of
    ``A`` (p, d), ``b`` (p,), ``W`` (d, p); ``A1`` has shape (H, p, d), and so on.
    """

    A0: np.ndarray
    b0: np.ndarray
    W0: np.ndarray
    A1: np.ndarray
    b1: np.ndarray
    W1: np.ndarray
    omega: np.ndarray
    phase: np.ndarray

    def __post_init__(self) -> None:
        A0 = np.asarray(self.A0, dtype=np.float64)
        if A0.ndim != 2:
            raise InvalidArgument(f"A0 has shape {A0.shape}, expected (p, d)")
        p, d = A0.shape
        omega = np.asarray(self.omega, dtype=np.float64)
        if omega.ndim != 1:
            raise InvalidArgument(f"omega has shape {omega.shape}, expected (H,)")
        H = omega.shape[0]
        for name, shape in (("A0", (p, d)), ("b0", (p,)), ("W0", (d, p)), ("A1", (H, p, d)), ("b1", (H, p)),
                            ("W1", (H, d, p)), ("omega", (H,)), ("phase", (H,))):
            object.__setattr__(self, name, _array(getattr(self, name), shape, name))

    @property
    def shape(self) -> tuple[int, int]:
        """``(p, d)``."""
        return self.A0.shape  # type: ignore[return-value]

    def at(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Controls at time ``t``."""
        g = np.tanh(self.omega * t + self.phase)
        return (self.A0 + np.tensordot(g, self.A1, 1), self.b0 + g @ self.b1, self.W0 + np.tensordot(g, self.W1, 1))


# --------------------------------------------------------------------------------------------
# fields
# --------------------------------------------------------------------------------------------
class _NeuronField:
    """Shared machinery: ``f_i = W(t)[:, i] sigma(A(t)[i].x + b(t)[i])``."""

    p: int
    d: int
    act: str

    def controls(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    def pre(self, t: float, X: np.ndarray, idx: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Pre-activations ``Z`` (K, n, m) and the gathered output vectors ``Wg`` ((K, m, d) or (p, d))."""
        A, b, W = self.controls(t)
        if idx is None:
            return X @ A.T + b, W.T
        Ag = A[idx]  # (K, m, d)
        Z = np.matmul(X, Ag.transpose(0, 2, 1)) + b[idx][:, None, :]
        return Z, W.T[idx]

    def eval(self, t: float, X: np.ndarray, idx: np.ndarray | None = None, wts: np.ndarray | None = None) -> np.ndarray:
        """Weighted field ``sum_j wts[k, j] f_{idx[k, j]}(t, X[k])``, shape of ``X`` (K, n, d)."""
        sigma, _ = ACTIVATIONS[self.act]
        Z, Wg = self.pre(t, X, idx)
        S = sigma(Z)
        if idx is None:
            return S @ Wg
        return np.matmul(S * wts[:, None, :], Wg)

    def jacobian_vjp(
        self, t: float, X: np.ndarray, lam: np.ndarray, idx: np.ndarray | None = None, wts: np.ndarray | None = None
    ) -> np.ndarray:
        """``(d_x F)^T lam`` for each state (shape of ``X``); used by the adjoint."""
        _, dsigma = ACTIVATIONS[self.act]
        A, b, W = self.controls(t)
        Z, Wg = self.pre(t, X, idx)
        D = dsigma(Z)
        if idx is None:
            G = (lam @ W) * D  # (K, n, p)
            return G @ A
        Wl = np.matmul(lam, Wg.transpose(0, 2, 1))  # (K, n, m) = W_i . lam
        G = Wl * D * wts[:, None, :]
        return np.matmul(G, A[idx])


class ClassificationField(_NeuronField):
    """``f_i(t, x) = w_i(t) sigma(a_i(t).x + b_i(t))``; ``sigma`` in tanh / relu / gelu (exact erf).

    ``control`` is a :class:`Constant`, :class:`PiecewiseConstant` or :class:`TimeNetwork`.
    """

    def __init__(self, control: Constant | PiecewiseConstant | TimeNetwork, act: str = "tanh") -> None:
        activation(act)
        if not isinstance(control, (Constant, PiecewiseConstant, TimeNetwork)):
            raise InvalidArgument(f"control must be Constant, PiecewiseConstant or TimeNetwork, got {type(control).__name__}")
        self.control = control
        self.act = act
        self.p, self.d = control.shape

    @classmethod
    def constant(cls, A: Any, b: Any, W: Any, act: str = "tanh") -> "ClassificationField":
        """Field with constant controls ``A`` (p, d), ``b`` (p,), ``W`` (d, p)."""
        return cls(Constant(A, b, W), act)

    def controls(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.control.at(t)

    def __repr__(self) -> str:
        return f"ClassificationField(p={self.p}, d={self.d}, act={self.act!r}, control={type(self.control).__name__})"


class FlowField(_NeuronField):
    """Flow-matching field ``f_i(t, x) = W0[:, i] tanh(A0[i].x + b0[i] + b1[i] t)``.

    ``divergence`` is the analytic ``div F = sum_i (1 - tanh^2(z_i)) (A0[i] . W0[:, i])`` (weighted
    by the batch weights when given).
    """

    act = "tanh"

    def __init__(self, A0: Any, b0: Any, b1: Any, W0: Any) -> None:
        A0 = np.asarray(A0, dtype=np.float64)
        if A0.ndim != 2:
            raise InvalidArgument(f"A0 has shape {A0.shape}, expected (p, d)")
        self.p, self.d = A0.shape
        self.A0 = _array(A0, (self.p, self.d), "A0")
        self.b0 = _array(b0, (self.p,), "b0")
        self.b1 = _array(b1, (self.p,), "b1")
        self.W0 = _array(W0, (self.d, self.p), "W0")

    def controls(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.A0, self.b0 + self.b1 * t, self.W0

    def divergence(self, t: float, X: np.ndarray, idx: np.ndarray | None = None, wts: np.ndarray | None = None) -> np.ndarray:
        """``div F^h`` at each state, shape (K, n)."""
        Z, _ = self.pre(t, X, idx)
        c = np.einsum("id,di->i", self.A0, self.W0)  # A0[i] . W0[:, i]
        D = 1.0 - np.tanh(Z) ** 2
        if idx is None:
            return D @ c
        return np.sum(D * (c[idx] * wts)[:, None, :], axis=-1)

    def __repr__(self) -> str:
        return f"FlowField(p={self.p}, d={self.d})"


class ContributionField:
    """User field from a vectorized contribution function ``fn(t, X) -> C`` with ``X`` (..., d), ``C`` (..., p, d).

    Cost is that of all ``p`` contributions whatever the batch (the function is opaque).

    >>> import numpy as np
    >>> v = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> F = ContributionField(3, 2, lambda t, X: np.broadcast_to(v, X.shape[:-1] + v.shape))
    >>> F.eval(0.0, np.zeros((1, 1, 2)))
    array([[[2., 3.]]])
    """

    def __init__(self, p: int, d: int, fn: Callable[[float, np.ndarray], np.ndarray]) -> None:
        if int(p) != p or p < 1 or int(d) != d or d < 1:
            raise InvalidArgument(f"p and d must be positive integers, got p={p!r}, d={d!r}")
        if not callable(fn):
            raise InvalidArgument("fn must be callable fn(t, X) -> array (..., p, d)")
        self.p, self.d, self.fn = int(p), int(d), fn

    def contributions(self, t: float, X: np.ndarray) -> np.ndarray:
        """All contributions, shape ``X.shape[:-1] + (p, d)``."""
        C = np.asarray(self.fn(t, X), dtype=np.float64)
        want = X.shape[:-1] + (self.p, self.d)
        if C.shape != want:
            raise InvalidArgument(f"contribution function returned shape {C.shape}, expected {want}")
        return C

    def eval(self, t: float, X: np.ndarray, idx: np.ndarray | None = None, wts: np.ndarray | None = None) -> np.ndarray:
        """Weighted field, shape of ``X`` (K, n, d)."""
        C = self.contributions(t, X)
        if idx is None:
            return C.sum(axis=-2)
        dense = np.zeros((X.shape[0], self.p))
        np.add.at(dense, (np.arange(X.shape[0])[:, None], idx), wts)
        return np.einsum("knpd,kp->knd", C, dense)

    def __repr__(self) -> str:
        return f"ContributionField(p={self.p}, d={self.d})"


def random_classification_field(p: int, d: int = 2, *, seed: int = 0, act: str = "tanh", scale: float = 1.0,
                                mean_field: bool = False) -> ClassificationField:
    """A seeded random constant-control field (``A ~ N(0, 1)``, ``b ~ N(0, 1)``).

    ``W`` is ``N(0, 1) * scale * 2 / sqrt(p)`` so that ``|F|`` stays O(1) as ``p`` grows; with
    ``mean_field=True`` it is ``(w0 + N(0, 1)) * scale * 2 / p`` with a common ``w0 ~ N(0, I)`` (mean-field
    scaling: the neurons are exchangeable and the random-batch variance decays like ``1/r``).

    >>> random_classification_field(4, seed=1).p
    4
    """
    if int(p) != p or p < 1:
        raise InvalidArgument(f"p must be a positive integer, got p={p!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 9001]))
    A = rng.normal(size=(p, d))
    b = rng.normal(size=p)
    if mean_field:
        w0 = rng.normal(size=(d, 1))
        W = (w0 + rng.normal(size=(d, p))) * (scale * 2.0 / p)
    else:
        W = rng.normal(size=(d, p)) * (scale * 2.0 / np.sqrt(p))
    return ClassificationField.constant(A, b, W, act)
