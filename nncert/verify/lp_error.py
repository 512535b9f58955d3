"""L^p error of a network against a target on a box: rigorous bound, numeric estimate, exact value.

Trusted pieces (used by the approximation claims' ``check``; nothing here imports
:mod:`nncert.constructions`):

* :func:`evaluate_fast`: exact outputs at many points. Splits the network at its first weight matrix
  of rank <= 1 after the input layer: the head is evaluated by :func:`nncert.verify.exact.evaluate_many`
  (constant groups), the tail by its rank-1 block path. Correct on any network.
* :func:`check_cells`: proves ``NN == T_c`` on every *good box* (grid cell minus the transition slabs of
  width eta) by exact affine propagation over the box (a ReLU whose sign is not constant on the box
  splits the box at the widest axis and continues), then exact evaluation of the constant states.
* :func:`output_range`: rational ``[lo_k, hi_k]`` containing output k on the whole box, by interval
  propagation that recognizes *clamp pairs* (two neurons with identical incoming rows combined with
  opposite weights: ``w (relu(z + a) - relu(z + b))`` lies between 0 and ``w (a - b)``).
* :func:`rigorous_bound`: re-derives the certified bound (docs/approximation.md) from the checked facts,
  the targets and the declared regularity, replacing every root by a rational upper bound checked by
  ``r^k >= v``.

Numeric path (floats, an estimate only; says so): :func:`numeric_error` (composite Gauss-Legendre on
panels aligned with the grid and the transition slabs for d <= 2, seeded Monte Carlo with a 99%
normal-approximation interval for d >= 3). The network is evaluated *exactly* at the (rational)
sample points; only ``f`` and the final sum are floats. :func:`exact_error_1d` / :func:`exact_error_2d`
give the exact ``||f - NN||_p^p`` for piecewise-polynomial ``f`` (polynomials and ``abs``) and integer p.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Sequence

from nncert.core import Network, Status, Verdict, fmt
from nncert.errors import InvalidArgument
from nncert.verify.exact import evaluate_many

__all__ = [
    "evaluate_fast",
    "check_cells",
    "output_range",
    "good_boxes",
    "rigorous_bound",
    "upper_root",
    "numeric_error",
    "exact_error_1d",
    "exact_error_2d",
    "exact_error_2d_odd",
    "SymbolicError",
    "LpErrorReport",
    "lp_error",
    "numeric_eval",
]

Box = Sequence[tuple[Fraction, Fraction]]
_ZERO = Fraction(0)
_ONE = Fraction(1)
_PI_UP = Fraction(355, 113)  # pi < 355/113 (355/113 - pi = 2.67e-7)


# ------------------------------------------------------------------------------------------
# exact evaluation on many points
# ------------------------------------------------------------------------------------------
def _rank_le1(w: tuple) -> bool:
    base = None
    for row in w:
        if any(row):
            if base is None:
                base = row
                j0 = next(j for j, v in enumerate(row) if v)
                continue
            lam = row[j0] / base[j0]
            if any(rv != lam * bv for rv, bv in zip(row, base)):
                return False
    return True


def _split_index(net: Network) -> int:
    """Smallest k >= 1 with weights[k] of rank <= 1 (0 if weights[0] has rank <= 1)."""
    if _rank_le1(net.weights[0]):
        return 0
    for k in range(1, len(net.weights)):
        if _rank_le1(net.weights[k]):
            return k
    return 0


def _relu(v: Fraction) -> Fraction:
    return v if v > 0 else _ZERO


def evaluate_fast(net: Network, points: Sequence[Sequence[Fraction]]) -> list[tuple[Fraction, ...]]:
    """Exact outputs of ``net`` at ``points`` (Fractions), fast on narrow deep nets with a rank-1 tail.

    Examples
    --------
    >>> net = Network.from_rows([[[1, 0], [0, 1]], [[1, 1], [2, 2]], [[1, -1]]], [[0, 0], [0, -1], [0]])
    >>> pts = [(Fraction(1, 3), Fraction(1)), (Fraction(0), Fraction(2))]
    >>> evaluate_fast(net, pts) == [net(p) for p in pts]
    True
    """
    pts = [tuple(Fraction(v) for v in p) for p in points]
    if not pts:
        return []
    k = _split_index(net)
    if k == 0:
        return evaluate_many(net, pts)
    head = Network(net.weights[:k], net.biases[:k])
    mids = evaluate_many(head, pts)
    states = [tuple(_relu(v) for v in s) for s in mids]
    tail = Network(net.weights[k:], net.biases[k:])
    return evaluate_many(tail, states)


# ------------------------------------------------------------------------------------------
# the good set
# ------------------------------------------------------------------------------------------
def good_interval(i: int, n: int, eta: Fraction) -> tuple[Fraction, Fraction]:
    """Good part of cell i of n on [0, 1] (unit coordinates), transition slabs of width eta removed.

    Examples
    --------
    >>> good_interval(0, 4, Fraction(1, 16)), good_interval(1, 4, Fraction(1, 16))
    ((Fraction(0, 1), Fraction(7, 32)), (Fraction(9, 32), Fraction(15, 32)))
    """
    lo = Fraction(0) if i == 0 else Fraction(i, n) + eta / 2
    hi = Fraction(1) if i == n - 1 else Fraction(i + 1, n) - eta / 2
    return lo, hi


def good_boxes(domain: Box, n: int, eta: Fraction) -> list[list[tuple[Fraction, Fraction]]]:
    """Good boxes in the domain's coordinates, in code order (code = sum_j i_j n^j)."""
    d = len(domain)
    out = []
    for code in range(n ** d):
        c = code
        box = []
        for lo, hi in domain:
            i = c % n
            c //= n
            a, b = good_interval(i, n, eta)
            box.append((lo + (hi - lo) * a, lo + (hi - lo) * b))
        out.append(box)
    return out


def _form_range(coef: Sequence[Fraction], const: Fraction, box: Box) -> tuple[Fraction, Fraction]:
    lo = hi = const
    for c, (a, b) in zip(coef, box):
        if c > 0:
            lo += c * a
            hi += c * b
        elif c < 0:
            lo += c * b
            hi += c * a
    return lo, hi


def _propagate_box(net: Network, box: Box, max_splits: int = 12) -> tuple[list[tuple[int, tuple[Fraction, ...]]], str]:
    """Constant states reached on ``box``: [(layer index k, state entering layer k)], and a failure reason.

    The state is the post-ReLU vector entering weight matrix k. If the network is not provably
    constant on the box (non-constant affine output, or too many splits), the reason is non-empty.
    """
    d = len(box)
    L = len(net.weights) - 1
    out: list[tuple[int, tuple[Fraction, ...]]] = []
    # stack items: (box, layer k, forms entering layer k as list of (coef tuple, const), splits)
    init = [(tuple(_ONE if i == j else _ZERO for i in range(d)), _ZERO) for j in range(d)]
    stack = [(list(box), 0, init, 0)]
    while stack:
        bx, k, forms, splits = stack.pop()
        while True:
            if all(not any(c) for c, _ in forms):
                out.append((k, tuple(b for _, b in forms)))
                break
            w, b = net.weights[k], net.biases[k]
            pre = []
            for row, bi in zip(w, b):
                coef = [_ZERO] * d
                const = bi
                for wv, (fc, fb) in zip(row, forms):
                    if wv:
                        const += wv * fb
                        for j in range(d):
                            if fc[j]:
                                coef[j] += wv * fc[j]
                pre.append((tuple(coef), const))
            if k == L:
                return out, "output is not constant on a good box " + _box_text(bx)
            new = []
            cut = None
            for coef, const in pre:
                lo, hi = _form_range(coef, const, bx)
                if lo >= 0:
                    new.append((coef, const))
                elif hi <= 0:
                    new.append((tuple(_ZERO for _ in range(d)), _ZERO))
                else:
                    cut = (coef, const)
                    break
            if cut is not None:
                if splits >= max_splits:
                    return out, f"ReLU of layer {k} changes sign on a good box {_box_text(bx)} after {splits} splits"
                j = max(range(d), key=lambda t: bx[t][1] - bx[t][0])
                a, bb = bx[j]
                # split where this pre-activation vanishes along axis j if that is inside, else halve
                mid = (a + bb) / 2
                coef, const = cut
                if coef[j]:
                    others_mid = const + sum(coef[t] * (bx[t][0] + bx[t][1]) / 2 for t in range(d) if t != j)
                    z = -others_mid / coef[j]
                    if a < z < bb:
                        mid = z
                left = list(bx)
                right = list(bx)
                left[j] = (a, mid)
                right[j] = (mid, bb)
                stack.append((left, k, forms, splits + 1))
                stack.append((right, k, forms, splits + 1))
                break
            forms = new
            k += 1
    return out, ""


def _box_text(bx: Box) -> str:
    return "[" + ", ".join(f"{fmt(a)}..{fmt(b)}" for a, b in bx) + "]"


def check_cells(
    net: Network,
    domain: Box,
    n: int,
    eta: Fraction,
    targets: Sequence[Sequence[Fraction]],
) -> Verdict:
    """Exact: ``NN(x) == targets[c]`` for every x in good box c (closed), for every cell c.

    Examples
    --------
    >>> net = Network.from_rows([[[1], [1]], [[1, -1]]], [[0, -1], [0]])   # clamp(x, 0, 1)
    >>> check_cells(net, [(Fraction(-1), Fraction(0))], 1, Fraction(0), [(Fraction(0),)]).status.value
    'HOLDS'
    """
    d = len(domain)
    boxes = good_boxes(domain, n, eta)
    if len(targets) != len(boxes):
        return Verdict(Status.REFUTED, "NN = target on good boxes", reason=f"{len(targets)} targets for {len(boxes)} cells",
                       counterexample={"targets": str(len(targets))})
    states: list[tuple[int, int, tuple[Fraction, ...]]] = []  # (cell, layer, state)
    for c, bx in enumerate(boxes):
        got, why = _propagate_box(net, bx)
        if why:
            return _refute_or_unknown(net, bx, c, targets[c], why)
        for k, s in got:
            states.append((c, k, s))
    kmax = max(k for _, k, _ in states)
    # bring every constant state to layer kmax exactly
    last = len(net.weights) - 1
    aligned = []
    for c, k, s in states:
        h = s
        while k < kmax:
            w, b = net.weights[k], net.biases[k]
            pre = [sum((wv * hv for wv, hv in zip(row, h)), bi) for row, bi in zip(w, b)]
            h = tuple(pre) if k == last else tuple(_relu(v) for v in pre)
            k += 1
        aligned.append((c, h))
    if kmax > last:
        outs = [h for _, h in aligned]
    else:
        tail = Network(net.weights[kmax:], net.biases[kmax:])
        outs = evaluate_fast(tail, [h for _, h in aligned])
    for (c, _), o in zip(aligned, outs):
        if tuple(o) != tuple(targets[c]):
            return Verdict(Status.REFUTED, "NN = target on good boxes",
                           reason=f"cell {c}: network is constant {tuple(map(fmt, o))} but the target is "
                           f"{tuple(map(fmt, targets[c]))}",
                           counterexample={"cell": str(c), "output": ",".join(map(fmt, o)),
                                           "target": ",".join(map(fmt, targets[c]))})
    return Verdict(Status.HOLDS, "NN = target on good boxes",
                   evidence=f"NN == T_c exactly on all {len(boxes)} good boxes (affine propagation, d={d})")


def _refute_or_unknown(net: Network, bx: Box, c: int, target: Sequence[Fraction], why: str) -> Verdict:
    import itertools

    for corner in itertools.product(*bx):
        out = net(corner)
        if tuple(out) != tuple(target):
            return Verdict(Status.REFUTED, "NN = target on good boxes", reason=f"cell {c}: {why}",
                           counterexample={"cell": str(c), "point": ",".join(map(fmt, corner)),
                                           "output": ",".join(map(fmt, out)), "target": ",".join(map(fmt, target))})
    return Verdict(Status.UNKNOWN, "NN = target on good boxes", reason=f"cell {c}: {why}")


def output_range(net: Network, domain: Box) -> list[tuple[Fraction, Fraction]]:
    """Rational ``[lo_k, hi_k]`` containing output k of ``net`` on the whole box (interval arithmetic
    with clamp-pair refinement; sound for every network, tight for clamp-terminated ones).

    Examples
    --------
    >>> net = Network.from_rows([[[5], [5]], [[1, -1]]], [[0, -2], [1]])   # 1 + clamp(5x, 0, 2)
    >>> output_range(net, [(Fraction(-10), Fraction(10))])
    [(Fraction(1, 1), Fraction(3, 1))]
    """
    iv = [(a, b) for a, b in domain]
    L = len(net.weights) - 1
    prev_w = None
    prev_b = None
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        groups: dict[tuple, list[int]] = {}
        if prev_w is not None:
            for i, row in enumerate(prev_w):
                groups.setdefault(row, []).append(i)
        pre = []
        for row, bi in zip(w, b):
            lo = hi = bi
            used: set[int] = set()
            if prev_w is not None:
                for members in groups.values():
                    if len(members) != 2:
                        continue
                    i, j = members
                    if row[i] and row[i] == -row[j]:
                        # row[i] * (relu(z + b_i) - relu(z + b_j)) in row[i] * [min(0, b_i - b_j), max(0, b_i - b_j)]
                        diff = prev_b[i] - prev_b[j]
                        e1, e2 = row[i] * min(_ZERO, diff), row[i] * max(_ZERO, diff)
                        lo += min(e1, e2)
                        hi += max(e1, e2)
                        used.update((i, j))
            for i, (wv, (a, bb)) in enumerate(zip(row, iv)):
                if i in used or not wv:
                    continue
                if wv > 0:
                    lo += wv * a
                    hi += wv * bb
                else:
                    lo += wv * bb
                    hi += wv * a
            pre.append((lo, hi))
        if k == L:
            return pre
        iv = [(_relu(a), _relu(bb)) for a, bb in pre]
        prev_w, prev_b = w, b
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------------------
# rational upper bounds of roots (checker side)
# ------------------------------------------------------------------------------------------
def _int_root_up(x: int, k: int) -> int:
    """Smallest r >= 0 with r**k >= x (binary search on integers)."""
    if x <= 0:
        return 0
    lo, hi = 0, 1
    while hi ** k < x:
        hi *= 2
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if mid ** k >= x:
            hi = mid
        else:
            lo = mid
    return hi


def upper_root(v: Fraction, num: int, den: int, bits: int = 96) -> Fraction:
    """A rational ``r >= v^(num/den)`` (v >= 0), verified by ``r^den >= v^num``; relative error ~2^-bits.

    Examples
    --------
    >>> r = upper_root(Fraction(2), 1, 2); r ** 2 >= 2 and float(r) - 2 ** 0.5 < 1e-20
    True
    """
    if v < 0:
        raise InvalidArgument(f"upper_root of negative {fmt(v)}")
    if v == 0:
        return _ZERO
    w = v ** num
    q = 1 << bits
    x = -((-w.numerator * q ** den) // w.denominator)
    r = Fraction(_int_root_up(x, den), q)
    if r ** den < w:  # pragma: no cover - arithmetic guard
        raise AssertionError("upper_root failed")
    return r


def _omega_up(d: int) -> Fraction:
    return {1: Fraction(2), 2: _PI_UP, 3: 4 * _PI_UP / 3, 4: _PI_UP ** 2 / 2}[d]


@dataclass(frozen=True)
class BoundParts:
    """Every exact number of the certified bound (all rational upper bounds)."""

    good_regularity: Fraction  # A
    good: Fraction  # A + sqrt(m) delta |B|^(1/p)
    bad_height: Fraction  # Mb
    bad_measure: Fraction
    bound: Fraction  # >= (good^p + Mb^p |bad|)^(1/p)
    f_range: tuple[tuple[Fraction, Fraction], ...]


def rigorous_bound(
    domain: Box,
    n: int,
    eta: Fraction,
    p: Fraction,
    targets: Sequence[Sequence[Fraction]],
    target_error: Fraction,
    nn_range: Sequence[tuple[Fraction, Fraction]],
    *,
    lipschitz: Fraction | None = None,
    sobolev: Fraction | None = None,
    f_range: Sequence[tuple[Fraction, Fraction]] | None = None,
) -> BoundParts:
    """Upper bound on ``||f - NN||_{L^p(box)}`` *given* the checked facts: NN = targets on good boxes,
    NN in ``nn_range``, ``|f(c) - T_c| <= target_error`` (centre or cell average), and the regularity.

    Lipschitz (Euclidean, constant L): on a cell, |f(x) - T_c| <= L |x - c|_2 + sqrt(m) delta, and
    ``int_box |x - c(x)|^p <= |B| S^p (h/2)^p d/(d+p)`` (max of d uniforms). Sobolev (|f|_{W^{1,p}} <= K):
    Poincare on each cell, constant ``(omega_d/|Q|)^(1-1/d) diam(Q)^d`` (Gilbarg-Trudinger (7.45); for
    d = 1 the cell length). Bad set: transition slabs, measure ``|B|(1 - (1 - (n-1) eta)^d)``, where
    ``|f - NN| <= Mb``. Good and bad parts add in the p-th power (disjoint sets).

    Examples
    --------
    >>> parts = rigorous_bound([(Fraction(0), Fraction(1))], 1, Fraction(0), Fraction(1), [(Fraction(1, 2),)],
    ...                        Fraction(0), [(Fraction(1, 2), Fraction(1, 2))], lipschitz=Fraction(1))
    >>> parts.bound == Fraction(1, 4)     # int_0^1 |x - 1/2| dx
    True
    """
    d = len(domain)
    m = len(targets[0])
    a, b = p.numerator, p.denominator
    vol = _ONE
    diag2 = _ZERO
    for lo, hi in domain:
        vol *= hi - lo
        diag2 += (hi - lo) ** 2
    S = upper_root(diag2, 1, 2)
    if (lipschitz is None) == (sobolev is None):
        raise InvalidArgument("exactly one of lipschitz= and sobolev= is needed")
    if lipschitz is not None:
        A = lipschitz * S / (2 * n) * upper_root(vol * d / (d + p), b, a)
        e = lipschitz * S / (2 * n) + target_error * upper_root(Fraction(m), 1, 2)
        fr = []
        for k in range(m):
            col = [t[k] for t in targets]
            fr.append((min(col) - e, max(col) + e))
    else:
        if m != 1:
            raise InvalidArgument("the Sobolev bound is implemented for m = 1")
        if f_range is None:
            raise InvalidArgument("the Sobolev bound needs f_range")
        cell_vol = vol / n ** d
        if d == 1:
            c_cell = S / n
        else:
            c_cell = upper_root(_omega_up(d) / cell_vol, d - 1, d) * upper_root(diag2 / n ** 2, d, 2)
        A = c_cell * sobolev
        fr = [tuple(r) for r in f_range]  # type: ignore[misc]
    good = A + upper_root(Fraction(m), 1, 2) * target_error * upper_root(vol, b, a)
    sq = _ZERO
    for (flo, fhi), (nlo, nhi) in zip(fr, nn_range):
        mk = max(nhi - flo, fhi - nlo, _ZERO)
        sq += mk * mk
    Mb = upper_root(sq, 1, 2)
    bad = vol * (1 - (1 - (n - 1) * eta) ** d) if n > 1 else _ZERO
    total_p = upper_root(good, a, b) + upper_root(Mb, a, b) * bad
    bound = upper_root(total_p, b, a)
    return BoundParts(A, good, Mb, bad, bound, tuple((Fraction(x), Fraction(y)) for x, y in fr))


# ------------------------------------------------------------------------------------------
# numeric path (floats; estimates only)
# ------------------------------------------------------------------------------------------
def numeric_eval(expr: Any, X: Any) -> Any:
    """float64 values of a sympy expression (grammar subset) at the rows of X (numeric path only)."""
    import numpy as np
    import sympy

    from nncert.verify.expr import symbols

    syms = symbols(X.shape[1])
    cols = {s: X[:, j] for j, s in enumerate(syms)}

    def go(e: Any) -> Any:
        if e in cols:
            return cols[e]
        if e.is_Number or e is sympy.pi or e is sympy.E:
            return np.full(X.shape[0], float(e))
        if e.is_Add:
            return sum((go(a) for a in e.args[1:]), go(e.args[0]))
        if e.is_Mul:
            out = go(e.args[0])
            for a in e.args[1:]:
                out = out * go(a)
            return out
        if e.is_Pow:
            return np.power(go(e.base), float(e.exp))
        for cls, fn in ((sympy.sin, np.sin), (sympy.cos, np.cos), (sympy.exp, np.exp), (sympy.log, np.log),
                        (sympy.Abs, np.abs), (sympy.sign, np.sign)):
            if isinstance(e, cls):
                return fn(go(e.args[0]))
        raise InvalidArgument(f"cannot evaluate {type(e).__name__} numerically")

    with np.errstate(all="ignore"):
        return go(expr)


def _gl(k: int) -> tuple[list[Fraction], list[float]]:
    import numpy as np

    x, w = np.polynomial.legendre.leggauss(k)
    return [Fraction(float((v + 1) / 2)) for v in x], [float(v / 2) for v in w]


@dataclass(frozen=True)
class NumericResult:
    """A numeric estimate of ||f - NN||_p (floats), with its stated accuracy."""

    estimate: float
    low: float
    high: float
    method: str
    points: int
    max_float_deviation: float  # max |float64 NN - exact NN| at the sample points


def numeric_error(
    net: Network,
    f: Callable[[Any], Any] | Sequence[Any],
    domain: Box,
    p: Fraction,
    *,
    breaks: Sequence[Sequence[Fraction]] | None = None,
    panels: int = 64,
    samples: int = 20000,
    seed: int = 0,
) -> NumericResult:
    """Numeric estimate of ``||f - NN||_{L^p(box)}``; NN exact at the rational sample points.

    ``f`` is a list of sympy expressions (one per output) or a callable on an (N, d) float array
    returning (N, m). d <= 2: composite Gauss-Legendre (5 points per axis per panel; the 3-point rule on
    the same panels gives the stated error ``|Q5 - Q3|``); panel ends ``breaks[j]`` (unit coordinates,
    e.g. cell and slab boundaries) or ``panels`` equal panels. d >= 3: Monte Carlo with
    ``numpy.random.default_rng(seed)``, 99% normal-approximation interval.
    """
    import numpy as np

    d = len(domain)
    pf = float(p)
    lo = np.array([float(a) for a, _ in domain])
    span = [b - a for a, b in domain]
    vol = float(math.prod(span))

    def fvals(X: Any) -> Any:
        if callable(f):
            Y = np.asarray(f(X), dtype=float)
            return Y.reshape(X.shape[0], -1)
        return np.stack([numeric_eval(e, X) for e in f], axis=1)

    def nn_exact(points: list[tuple[Fraction, ...]]) -> tuple[Any, float]:
        outs = evaluate_fast(net, points)
        E = np.array([[float(v) for v in o] for o in outs])
        Xf = np.array([[float(v) for v in pt] for pt in points])
        Fl = net.evaluate_float(Xf)
        dev = float(np.max(np.abs(Fl - E))) if len(points) else 0.0
        return E, dev

    if d <= 2:
        if breaks is None:
            breaks = [[Fraction(i, panels) for i in range(panels + 1)] for _ in range(d)]
        rules = {5: _gl(5), 3: _gl(3)}
        pts: list[tuple[Fraction, ...]] = []
        weights = {5: [], 3: []}
        index = {}
        for k in (5, 3):
            nodes, wts = rules[k]
            axes = []
            for j in range(d):
                bj = breaks[j]
                ax = []
                for a, b in zip(bj, bj[1:]):
                    if b <= a:
                        continue
                    for x, wv in zip(nodes, wts):
                        u = a + (b - a) * x
                        ax.append((domain[j][0] + span[j] * u, wv * float(b - a)))
                axes.append(ax)
            import itertools

            for combo in itertools.product(*axes):
                pt = tuple(c[0] for c in combo)
                wv = math.prod(c[1] for c in combo) * vol
                if pt not in index:
                    index[pt] = len(pts)
                    pts.append(pt)
                weights[k].append((index[pt], wv))
        E, dev = nn_exact(pts)
        X = np.array([[float(v) for v in pt] for pt in pts])
        F = fvals(X)
        err = np.sqrt(np.sum((F - E) ** 2, axis=1)) ** pf
        q5 = sum(w * err[i] for i, w in weights[5])
        q3 = sum(w * err[i] for i, w in weights[3])
        est = q5 ** (1 / pf)
        delta = abs(q5 - q3)
        lo_e = max(q5 - delta, 0.0) ** (1 / pf)
        hi_e = (q5 + delta) ** (1 / pf)
        return NumericResult(est, lo_e, hi_e, "composite Gauss-Legendre 5-point (error: |Q5 - Q3|)", len(pts), dev)
    rng = np.random.default_rng(seed)
    den = 1 << 30
    U = rng.integers(0, den, size=(samples, d))
    pts = [tuple(domain[j][0] + span[j] * Fraction(int(U[i, j]), den) for j in range(d)) for i in range(samples)]
    E, dev = nn_exact(pts)
    X = np.array([[float(v) for v in pt] for pt in pts])
    F = fvals(X)
    err = np.sqrt(np.sum((F - E) ** 2, axis=1)) ** pf * vol
    mean = float(err.mean())
    half = 2.576 * float(err.std(ddof=1)) / math.sqrt(samples)
    return NumericResult(mean ** (1 / pf), max(mean - half, 0.0) ** (1 / pf), (mean + half) ** (1 / pf),
                         f"Monte Carlo, {samples} points, seed {seed}, 99% normal-approximation interval", samples, dev)


# ------------------------------------------------------------------------------------------
# exact error for piecewise-polynomial targets
# ------------------------------------------------------------------------------------------
def _pieces_1d(net: Network, a: Fraction, b: Fraction, max_pieces: int = 20000) -> list[tuple[Fraction, Fraction, tuple[Fraction, ...], tuple[Fraction, ...]]] | None:
    """Linear pieces of a 1-input network on [a, b]: (x0, x1, slopes, intercepts) of each output
    (None if there are more than ``max_pieces``)."""
    L = len(net.weights) - 1
    out = []
    stack = [(a, b, 0, [(_ONE, _ZERO)])]
    while stack:
        x0, x1, k, forms = stack.pop()
        while True:
            w, bb = net.weights[k], net.biases[k]
            pre = []
            for row, bi in zip(w, bb):
                s = _ZERO
                c = bi
                for wv, (fs, fc) in zip(row, forms):
                    if wv:
                        s += wv * fs
                        c += wv * fc
                pre.append((s, c))
            if k == L:
                out.append((x0, x1, tuple(s for s, _ in pre), tuple(c for _, c in pre)))
                if len(out) > max_pieces:
                    return None
                break
            new = []
            split = None
            for s, c in pre:
                v0, v1 = s * x0 + c, s * x1 + c
                if v0 >= 0 and v1 >= 0:
                    new.append((s, c))
                elif v0 <= 0 and v1 <= 0:
                    new.append((_ZERO, _ZERO))
                else:
                    split = -c / s
                    break
            if split is not None:
                stack.append((x0, split, k, forms))
                stack.append((split, x1, k, forms))
                break
            forms = new
            k += 1
    out.sort(key=lambda t: t[0])
    return out


def _poly_pieces(expr: Any, var: Any, a: Fraction, b: Fraction) -> list[tuple[Fraction, Fraction, list[Fraction]]] | None:
    """f on [a, b] as polynomial pieces (coefficients low->high), or None if f is not piecewise polynomial
    with rational breakpoints (abs of polynomials whose roots in (a, b) are rational)."""
    import sympy

    abs_args = [e.args[0] for e in expr.atoms(sympy.Abs)]
    cuts = {a, b}
    for g in abs_args:
        if not g.is_polynomial(var):
            return None
        poly = sympy.Poly(g, var)
        if poly.degree() <= 0:
            continue
        for r in sympy.real_roots(poly):
            if not r.is_Rational:
                rf = float(r)
                if float(a) < rf < float(b):
                    return None
                continue
            q = Fraction(int(r.p), int(r.q))
            if a < q < b:
                cuts.add(q)
    pts = sorted(cuts)
    out = []
    for x0, x1 in zip(pts, pts[1:]):
        mid = (x0 + x1) / 2
        midr = sympy.Rational(mid.numerator, mid.denominator)
        rep = {}
        for e in sorted(expr.atoms(sympy.Abs), key=lambda t: len(str(t))):
            sgn = sympy.sign(e.args[0].xreplace({var: midr}))
            rep[e] = sgn * e.args[0]
        g = expr
        # substitute innermost first, repeatedly, so nested abs resolve
        for _ in range(10):
            if not g.has(sympy.Abs):
                break
            inner = [e for e in g.atoms(sympy.Abs) if not e.args[0].has(sympy.Abs)]
            g = g.xreplace({e: sympy.sign(e.args[0].xreplace({var: midr})) * e.args[0] for e in inner})
        if g.has(sympy.Abs) or not g.is_polynomial(var):
            return None
        poly = sympy.Poly(sympy.expand(g), var)
        if not all(c.is_Rational for c in poly.all_coeffs()):
            return None
        coeffs = [Fraction(int(c.p), int(c.q)) for c in reversed(poly.all_coeffs())]
        out.append((x0, x1, coeffs))
    return out


def _peval(c: Sequence[Fraction], x: Fraction) -> Fraction:
    v = _ZERO
    for a in reversed(c):
        v = v * x + a
    return v


def _pmul(a: Sequence[Fraction], b: Sequence[Fraction]) -> list[Fraction]:
    out = [_ZERO] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return out


def _pint(c: Sequence[Fraction], x0: Fraction, x1: Fraction) -> Fraction:
    s = _ZERO
    for k, a in enumerate(c):
        if a:
            s += a * (x1 ** (k + 1) - x0 ** (k + 1)) / (k + 1)
    return s


def _abs_pow_integral(g: list[Fraction], x0: Fraction, x1: Fraction, p: int) -> Fraction | None:
    """Exact int_x0^x1 |g|^p for a polynomial g (rational roots needed when p is odd)."""
    while len(g) > 1 and g[-1] == 0:
        g = g[:-1]
    cuts = [x0, x1]
    if p % 2 == 1 and len(g) > 1:
        if len(g) == 2:
            r = -g[0] / g[1]
            if x0 < r < x1:
                cuts = [x0, r, x1]
        else:
            import sympy

            x = sympy.Symbol("t")
            poly = sympy.Poly(sum(sympy.Rational(c.numerator, c.denominator) * x ** k for k, c in enumerate(g)), x)
            roots = []
            for r in sympy.real_roots(poly):
                rf = float(r)
                if float(x0) < rf < float(x1):
                    if not r.is_Rational:
                        return None
                    roots.append(Fraction(int(r.p), int(r.q)))
            cuts = [x0] + sorted(set(roots)) + [x1]
    gp = [_ONE]
    for _ in range(p):
        gp = _pmul(gp, g)
    total = _ZERO
    for a, b in zip(cuts, cuts[1:]):
        val = _pint(gp, a, b)
        total += abs(val)
    return total


def exact_error_1d(net: Network, expr: Any, domain: Box, p: Fraction) -> Fraction | None:
    """Exact ``||f - NN||_p^p`` on an interval for scalar piecewise-polynomial ``f`` and integer p (else None).

    None also when the network has more than 20000 linear pieces on the interval (the peel layers fold
    the transition slabs, so the piece count grows quickly with n).

    Examples
    --------
    >>> from nncert.verify.expr import parse
    >>> net = Network.from_rows([[[1]], [[0]]], [[0], [0]])          # NN = 0
    >>> exact_error_1d(net, parse("x1", 1), [(Fraction(0), Fraction(1))], Fraction(2))
    Fraction(1, 3)
    """
    from nncert.verify.expr import symbols

    if p.denominator != 1 or len(domain) != 1 or net.output_dim != 1:
        return None
    x = symbols(1)[0]
    a, b = domain[0]
    fp = _poly_pieces(expr, x, a, b)
    if fp is None:
        return None
    total = _ZERO
    i = 0
    pieces = _pieces_1d(net, a, b)
    if pieces is None:
        return None
    for x0, x1, slopes, ints in pieces:
        while i < len(fp) and fp[i][1] <= x0:
            i += 1
        j = i
        while j < len(fp) and fp[j][0] < x1:
            lo, hi = max(x0, fp[j][0]), min(x1, fp[j][1])
            if lo < hi:
                g = list(fp[j][2]) + [_ZERO] * max(0, 2 - len(fp[j][2]))
                g[0] -= ints[0]
                g[1] -= slopes[0]
                val = _abs_pow_integral(g, lo, hi, int(p))
                if val is None:
                    return None
                total += val
            j += 1
    return total


def _clip(poly: list[tuple[Fraction, Fraction]], c: tuple[Fraction, Fraction], c0: Fraction,
          keep_pos: bool) -> list[tuple[Fraction, Fraction]]:
    """Clip a convex polygon to {c.x + c0 >= 0} (keep_pos) or {<= 0}."""
    out = []
    sgn = 1 if keep_pos else -1
    n = len(poly)
    for i in range(n):
        P, Q = poly[i], poly[(i + 1) % n]
        vp = sgn * (c[0] * P[0] + c[1] * P[1] + c0)
        vq = sgn * (c[0] * Q[0] + c[1] * Q[1] + c0)
        if vp >= 0:
            out.append(P)
        if (vp > 0 and vq < 0) or (vp < 0 and vq > 0):
            t = vp / (vp - vq)
            out.append((P[0] + t * (Q[0] - P[0]), P[1] + t * (Q[1] - P[1])))
    # drop consecutive duplicates
    ded = []
    for v in out:
        if not ded or ded[-1] != v:
            ded.append(v)
    if len(ded) > 1 and ded[0] == ded[-1]:
        ded.pop()
    return ded


def _area2(poly: list[tuple[Fraction, Fraction]]) -> Fraction:
    s = _ZERO
    for i in range(len(poly)):
        (x0, y0), (x1, y1) = poly[i], poly[(i + 1) % len(poly)]
        s += x0 * y1 - x1 * y0
    return s


def _regions_2d(net: Network, box: Box, max_regions: int = 20000) -> list[tuple[list[tuple[Fraction, Fraction]], tuple, tuple]] | None:
    """Linear regions of a 2-input network on a box: (polygon, output coefs [(cx, cy)], output consts)."""
    L = len(net.weights) - 1
    (a0, b0), (a1, b1) = box
    init_poly = [(a0, a1), (b0, a1), (b0, b1), (a0, b1)]
    init = [((_ONE, _ZERO), _ZERO), ((_ZERO, _ONE), _ZERO)]
    out = []
    stack = [(init_poly, 0, init)]
    while stack:
        poly, k, forms = stack.pop()
        while True:
            w, bb = net.weights[k], net.biases[k]
            pre = []
            for row, bi in zip(w, bb):
                cx = cy = _ZERO
                c = bi
                for wv, ((fx, fy), fc) in zip(row, forms):
                    if wv:
                        cx += wv * fx
                        cy += wv * fy
                        c += wv * fc
                pre.append(((cx, cy), c))
            if k == L:
                out.append((poly, tuple(co for co, _ in pre), tuple(c for _, c in pre)))
                if len(out) > max_regions:
                    return None
                break
            new = []
            split = None
            for (cx, cy), c in pre:
                vals = [cx * x + cy * y + c for x, y in poly]
                if min(vals) >= 0:
                    new.append(((cx, cy), c))
                elif max(vals) <= 0:
                    new.append(((_ZERO, _ZERO), _ZERO))
                else:
                    split = ((cx, cy), c)
                    break
            if split is not None:
                for keep in (True, False):
                    part = _clip(poly, split[0], split[1], keep)
                    if len(part) >= 3 and _area2(part) != 0:
                        stack.append((part, k, forms))
                break
            forms = new
            k += 1
    return out


def _tri_monomial(tri: list[tuple[Fraction, Fraction]], px: int, py: int) -> Fraction:
    """Exact integral of x^px y^py over a triangle (barycentric expansion)."""
    (x0, y0), (x1, y1), (x2, y2) = tri
    area = abs((x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)) / 2
    # x = sum l_i x_i; expand x^px y^py in barycentric monomials, int l1^a l2^b l3^c = 2|T| a!b!c!/(a+b+c+2)!
    from itertools import product

    def expand(coords: tuple[Fraction, Fraction, Fraction], power: int) -> dict[tuple[int, int, int], Fraction]:
        res: dict[tuple[int, int, int], Fraction] = {(0, 0, 0): _ONE}
        for _ in range(power):
            nxt: dict[tuple[int, int, int], Fraction] = {}
            for (a, b, c), v in res.items():
                for idx, cv in enumerate(coords):
                    if cv:
                        key = (a + (idx == 0), b + (idx == 1), c + (idx == 2))
                        nxt[key] = nxt.get(key, _ZERO) + v * cv
            res = nxt
        return res

    ex = expand((x0, x1, x2), px)
    ey = expand((y0, y1, y2), py)
    total = _ZERO
    for (k1, v1), (k2, v2) in product(ex.items(), ey.items()):
        a, b, c = k1[0] + k2[0], k1[1] + k2[1], k1[2] + k2[2]
        total += v1 * v2 * Fraction(math.factorial(a) * math.factorial(b) * math.factorial(c),
                                    math.factorial(a + b + c + 2))
    return 2 * area * total


def _dict_poly(expr: Any, x1: Any, x2: Any) -> dict[tuple[int, int], Fraction] | None:
    import sympy

    if not expr.is_polynomial(x1, x2):
        return None
    P = sympy.Poly(sympy.expand(expr), x1, x2)
    out = {}
    for mon, c in P.terms():
        if not c.is_Rational:
            return None
        out[mon] = Fraction(int(c.p), int(c.q))
    return out


def _dmul(a: dict, b: dict) -> dict:
    out: dict[tuple[int, int], Fraction] = {}
    for (i, j), u in a.items():
        for (k, l), v in b.items():
            key = (i + k, j + l)
            out[key] = out.get(key, _ZERO) + u * v
    return {k: v for k, v in out.items() if v}


def _poly_integral(poly: dict, pg: list[tuple[Fraction, Fraction]]) -> Fraction:
    """Exact integral of a polynomial {(a, b): c} over a simple polygon (Green: x^a y^b = d/dx x^(a+1) y^b/(a+1))."""
    total = _ZERO
    m = len(pg)
    for (a, b), c in poly.items():
        acc = _ZERO
        for e in range(m):
            (x0, y0), (x1, y1) = pg[e], pg[(e + 1) % m]
            dx, dy = x1 - x0, y1 - y0
            if not dy:
                continue
            # int_0^1 (x0 + t dx)^(a+1) (y0 + t dy)^b dt * dy
            s = _ZERO
            for i in range(a + 2):
                ci = math.comb(a + 1, i) * x0 ** (a + 1 - i) * dx ** i
                if not ci:
                    continue
                for j in range(b + 1):
                    cj = math.comb(b, j) * y0 ** (b - j) * dy ** j
                    if cj:
                        s += ci * cj / (i + j + 1)
            acc += s * dy
        total += c * acc / (a + 1)
    return total


def exact_error_2d(net: Network, expr: Any, domain: Box, p: Fraction, max_regions: int = 20000) -> Fraction | None:
    """Exact ``||f - NN||_p^p`` on a rectangle, scalar f built from polynomials and (nested) ``abs`` of
    arguments that are linear once inner ``abs`` are resolved; any integer p when ``f - NN`` is linear on a
    piece, even p otherwise (else None; None also beyond ``max_regions`` linear regions).

    Regions: the network's linear regions (exact polygon clipping), cut by f's kink lines (innermost abs
    first); on each polygon ``(f - NN)^p`` is a polynomial, integrated exactly with Green's theorem.

    Examples
    --------
    >>> from nncert.verify.expr import parse
    >>> net = Network.from_rows([[[0, 0]], [[0]]], [[0], [0]])          # NN = 0
    >>> exact_error_2d(net, parse("abs(x1 - x2)", 2), [(Fraction(0), Fraction(1))] * 2, Fraction(1))
    Fraction(1, 3)
    """
    import sympy

    from nncert.verify.expr import symbols

    if p.denominator != 1 or len(domain) != 2 or net.output_dim != 1:
        return None
    pi = int(p)
    x1, x2 = symbols(2)
    regions = _regions_2d(net, domain, max_regions)
    if regions is None:
        return None
    cache: dict[Any, Any] = {}

    def linear(g: Any) -> tuple[tuple[Fraction, Fraction], Fraction] | None:
        dp = _dict_poly(g, x1, x2)
        if dp is None or any(i + j > 1 for i, j in dp):
            return None
        return (dp.get((1, 0), _ZERO), dp.get((0, 1), _ZERO)), dp.get((0, 0), _ZERO)

    def split(pg: list, e: Any) -> list | None:
        inner = sorted((a for a in e.atoms(sympy.Abs) if not a.args[0].has(sympy.Abs)), key=sympy.default_sort_key)
        if not inner:
            key = e
            if key not in cache:
                cache[key] = _dict_poly(e, x1, x2)
            return None if cache[key] is None else [(pg, cache[key])]
        atom = inner[0]
        lin = linear(atom.args[0])
        if lin is None:
            return None
        out = []
        for keep in (True, False):
            q = _clip(pg, lin[0], lin[1], keep)
            if len(q) >= 3 and _area2(q) != 0:
                sub = split(q, e.xreplace({atom: (1 if keep else -1) * atom.args[0]}))
                if sub is None:
                    return None
                out.extend(sub)
        return out

    total = _ZERO
    for poly, coefs, consts in regions:
        parts = split(poly, expr)
        if parts is None:
            return None
        (ax, ay), a0 = coefs[0], consts[0]
        for pg, fpoly in parts:
            h = dict(fpoly)
            for key, v in (((1, 0), -ax), ((0, 1), -ay), ((0, 0), -a0)):
                h[key] = h.get(key, _ZERO) + v
            h = {k: v for k, v in h.items() if v}
            deg = max((i + j for i, j in h), default=0)
            if pi % 2 == 1 and deg > 1:
                return None
            if pi % 2 == 1 and deg == 1:
                pieces = []
                for keep in (True, False):
                    q = _clip(pg, (h.get((1, 0), _ZERO), h.get((0, 1), _ZERO)), h.get((0, 0), _ZERO), keep)
                    if len(q) >= 3 and _area2(q) != 0:
                        pieces.append((q, 1 if keep else -1))
            else:
                pieces = [(pg, 1)]
            hp: dict = {(0, 0): _ONE}
            for _ in range(pi):
                hp = _dmul(hp, h)
            for q, sgn in pieces:
                val = _poly_integral(hp, q)
                total += sgn * val if _area2(q) > 0 else -sgn * val
    return total


# ------------------------------------------------------------------------------------------
# exact error for odd p when f - NN is linear in x2 on a region (e.g. x1*x2): logs, kept symbolic
# ------------------------------------------------------------------------------------------
def _ptrim(c: list[Fraction]) -> list[Fraction]:
    c = list(c)
    while c and not c[-1]:
        c.pop()
    return c


def _padd(a: Sequence[Fraction], b: Sequence[Fraction], s: int = 1) -> list[Fraction]:
    out = [_ZERO] * max(len(a), len(b))
    for i, v in enumerate(a):
        out[i] += v
    for i, v in enumerate(b):
        out[i] += s * v
    return _ptrim(out)


def _pdivmod(num: Sequence[Fraction], den: Sequence[Fraction]) -> tuple[list[Fraction], list[Fraction]]:
    """Polynomial long division (ascending coefficient lists, ``den`` non-zero)."""
    r = _ptrim(list(num))
    den = _ptrim(list(den))
    q = [_ZERO] * max(len(r) - len(den) + 1, 1)
    while len(r) >= len(den) and r:
        k = len(r) - len(den)
        c = r[-1] / den[-1]
        q[k] = c
        for i, v in enumerate(den):
            r[i + k] -= c * v
        r = _ptrim(r)
    return _ptrim(q), r


def _real_roots(c: list[Fraction]) -> list[Any] | None:
    """Real roots of a polynomial of degree <= 2 (Fractions when rational, else sympy sqrt expressions)."""
    import sympy

    c = _ptrim(c)
    if len(c) <= 1:
        return []
    if len(c) == 2:
        return [-c[0] / c[1]]
    if len(c) > 3:
        return None
    a, b, cc = c[2], c[1], c[0]
    disc = b * b - 4 * a * cc
    if disc < 0:
        return []
    rn, rd = math.isqrt(disc.numerator), math.isqrt(disc.denominator)
    if rn * rn == disc.numerator and rd * rd == disc.denominator:
        s = Fraction(rn, rd)
        return [(-b - s) / (2 * a), (-b + s) / (2 * a)]
    s = sympy.sqrt(sympy.Rational(disc.numerator, disc.denominator))
    return [(sympy.Rational(-b.numerator, b.denominator) + t * s) / (2 * sympy.Rational(a.numerator, a.denominator))
            for t in (-1, 1)]


def _iv(e: Any, prec: int = 160) -> Any:
    """Rigorous mpmath interval enclosure of a sympy expression built from rationals, +, *, rational powers
    (integer or 1/2) and log (mpmath ``iv`` arithmetic with outward rounding)."""
    import sympy
    from mpmath import iv

    iv.prec = prec

    def go(x: Any) -> Any:
        if isinstance(x, Fraction):
            return iv.mpf(x.numerator) / x.denominator
        if x.is_Rational:
            return iv.mpf(int(x.p)) / int(x.q)
        if x.is_Add:
            acc = iv.mpf(0)
            for t in x.args:
                acc += go(t)
            return acc
        if x.is_Mul:
            acc = iv.mpf(1)
            for t in x.args:
                acc *= go(t)
            return acc
        if x.is_Pow and x.exp.is_Rational:
            base = go(x.base)
            if x.exp.q == 1:
                k = int(x.exp.p)
                return base ** k if k >= 0 else 1 / base ** (-k)
            if x.exp.q == 2:
                r = iv.sqrt(base)
                k = int(x.exp.p)
                return r ** k if k >= 0 else 1 / r ** (-k)
        if isinstance(x, sympy.log):
            return iv.log(go(x.args[0]))
        if isinstance(x, sympy.Abs):
            return abs(go(x.args[0]))
        raise InvalidArgument(f"cannot enclose {x}")

    return go(e)


def _mpf_fraction(v: Any) -> Fraction:
    sign, man, exp, _ = v
    if not man and exp:
        raise InvalidArgument("non-finite interval end")
    f = Fraction(int(man)) * (Fraction(2) ** int(exp))
    return -f if sign else f


@dataclass(frozen=True)
class SymbolicError:
    """Exact ``||f - NN||_p^p`` as a sympy expression (rationals, square roots, logs) and a rigorous
    rational enclosure ``[low, high]`` of it (mpmath interval arithmetic, 160 bits, raised up to 5120 bits
    until ``high - low <= 1e-30 + 1e-20 |high|``; may stay wider, it is an enclosure either way)."""

    expr: Any
    low: Fraction
    high: Fraction

    @property
    def text(self) -> str:
        return str(self.expr)


def _slab_integral(A: list[Fraction], B: list[Fraction], lo: tuple[Fraction, Fraction], hi: tuple[Fraction, Fraction],
                   u: Fraction, v: Fraction, p: int, rat: list[Fraction], sym: list[Any],
                   logs: dict[Any, Fraction]) -> bool:
    """Add int_u^v int_{lo(x)}^{hi(x)} |A(x) y + B(x)|^p dy dx (odd p; lo/hi lines (c0, c1)) to the accumulators."""
    import sympy

    sl = _padd(_pmul(A, [lo[0], lo[1]]), B)
    sg = _padd(_pmul(A, [hi[0], hi[1]]), B)
    cuts: set = set()
    for poly in (sl, sg, A):
        rts = _real_roots(poly)
        if rts is None:
            return False
        for r in rts:
            if u < r < v:
                cuts.add(r)
    pts = [u] + sorted(cuts, key=lambda r: float(r) if isinstance(r, Fraction) else float(sympy.N(r, 30))) + [v]
    slp, sgp = sl, sg
    for _ in range(p):
        slp, sgp = _pmul(slp, sl), _pmul(sgp, sg)
    for al, be in zip(pts, pts[1:]):
        if isinstance(al, Fraction) and isinstance(be, Fraction):
            t = (al + be) / 2
        else:
            t = Fraction(str(sympy.N((_as_sympy(al) + _as_sympy(be)) / 2, 40)))
            if not (al < t < be):
                return False
        s_l, s_g, s_a = (_peval(sl, t) if sl else _ZERO), (_peval(sg, t) if sg else _ZERO), (_peval(A, t) if A else _ZERO)
        if s_l * s_g >= 0:
            sgn = 1 if (s_g > 0 or s_l > 0) else (-1 if (s_g < 0 or s_l < 0) else 0)
            if sgn == 0:
                continue
            if not A:
                Bp = [_ONE]
                for _ in range(p):
                    Bp = _pmul(Bp, B)
                integrand = _pmul(Bp, _padd([hi[0], hi[1]], [lo[0], lo[1]], -1))
                integrand = [sgn * c for c in integrand]
            else:
                q, r = _pdivmod(_padd(sgp, slp, -1), A)
                if r:
                    return False
                integrand = [sgn * c / (p + 1) for c in q]
            logc = None
        else:
            q, r = _pdivmod(_padd(sgp, slp), A)
            sa = 1 if s_a > 0 else -1
            integrand = [sa * c / (p + 1) for c in q]
            logc = None
            if r:
                if len(A) != 2 or len(r) != 1:
                    return False
                logc = sa * r[0] / (p + 1) / A[1]     # int r/A = r/a1 log|A|
        anti = [_ZERO] + [c / (i + 1) for i, c in enumerate(integrand)]
        if isinstance(al, Fraction) and isinstance(be, Fraction):
            rat.append(_peval(anti, be) - _peval(anti, al))
            if logc is not None:
                key = abs(_peval(A, be) / _peval(A, al))
                logs[key] = logs.get(key, _ZERO) + logc
        else:
            X = sympy.Symbol("x")
            P = sum(sympy.Rational(c.numerator, c.denominator) * X ** i for i, c in enumerate(anti))
            sym.append(sympy.expand(P.subs(X, be) - P.subs(X, al)))
            if logc is not None:
                Ax = sympy.Rational(A[0].numerator, A[0].denominator) + sympy.Rational(A[1].numerator, A[1].denominator) * X
                ratio = sympy.Abs(sympy.radsimp(Ax.subs(X, be) / Ax.subs(X, al)))
                logs[ratio] = logs.get(ratio, _ZERO) + logc
    return True


def exact_error_2d_odd(net: Network, expr: Any, domain: Box, p: Any, max_regions: int = 20000,
                       output: int = 0) -> SymbolicError | None:
    """Exact ``||f_k - NN_k||_p^p`` (k = ``output``) on a rectangle for a polynomial f and odd integer p when, on
    every linear region, ``f - NN = A(x1) x2 + B(x1)`` with deg A <= 1 and deg B <= 2 (e.g. f = x1*x2); None otherwise.

    On each region polygon and each x1-slab between its vertices, x2 runs between two edges lo(x1), hi(x1); the
    sign boundary x2 = -B/A (a hyperbola branch) splits the slab where h(x1, lo) or h(x1, hi) or A changes
    sign (roots exact: rational or quadratic surds). With z = A x2 + B, the inner integral is
    ``(s_hi^(p+1) - s_lo^(p+1)) / ((p+1) A)`` (no sign change, a polynomial) or
    ``(s_hi^(p+1) + s_lo^(p+1)) / ((p+1)|A|)`` (one sign change; its remainder mod A integrates to a log).
    The result is exact (sympy: rationals, surds, logs); ``low``/``high`` enclose it rigorously.

    Examples
    --------
    >>> from nncert.verify.expr import parse
    >>> net = Network.from_rows([[[0, 0]], [[0]]], [[Fraction(1, 4)], [0]])     # NN = 0
    >>> r = exact_error_2d_odd(net, parse("x1*x2 - 1/4", 2), [(Fraction(0), Fraction(1))] * 2, 1)
    >>> r.expr                            # int |x1 x2 - 1/4| = 3/32 + log(2)/8 (by hand)
    log(4)/16 + 3/32
    >>> abs(float(r.low) - (3 / 32 + math.log(2) / 8)) < 1e-15 and r.high - r.low <= Fraction(2, 10 ** 30)
    True
    """
    import sympy

    from nncert.verify.expr import symbols

    pp = Fraction(p)
    if pp.denominator != 1 or pp.numerator % 2 != 1 or len(domain) != 2:
        return None
    pi = int(pp)
    x1, x2 = symbols(2)
    fpoly = _dict_poly(expr, x1, x2)
    if fpoly is None:
        return None
    regions = _regions_2d(net, domain, max_regions)
    if regions is None:
        return None
    rat: list[Fraction] = []
    sym: list[Any] = []
    logs: dict[Any, Fraction] = {}
    for poly, coefs, consts in regions:
        (ax, ay), a0 = coefs[output], consts[output]
        h = dict(fpoly)
        for key, v in (((1, 0), -ax), ((0, 1), -ay), ((0, 0), -a0)):
            h[key] = h.get(key, _ZERO) + v
        if any(j > 1 for (i, j), v in h.items() if v):
            return None
        A = _ptrim([h.get((i, 1), _ZERO) for i in range(3)])
        B = _ptrim([h.get((i, 0), _ZERO) for i in range(4)])
        if len(A) > 2 or len(B) > 3 or any(v for (i, j), v in h.items() if (j == 1 and i > 1) or (j == 0 and i > 2)):
            return None
        m = len(poly)
        xs = sorted(set(P[0] for P in poly))
        for u, v in zip(xs, xs[1:]):
            mid = (u + v) / 2
            ys = []
            for e in range(m):
                P, Q = poly[e], poly[(e + 1) % m]
                if P[0] == Q[0] or not (min(P[0], Q[0]) <= mid <= max(P[0], Q[0])):
                    continue
                s = (Q[1] - P[1]) / (Q[0] - P[0])
                line = (P[1] - s * P[0], s)
                ys.append((line[0] + line[1] * mid, line))
            if len(ys) < 2:
                continue
            lo, hi = min(ys)[1], max(ys)[1]
            if not _slab_integral(A, B, lo, hi, u, v, pi, rat, sym, logs):
                return None
    total_rat = sum(rat, _ZERO)
    log_terms = [sympy.Rational(c.numerator, c.denominator) * sympy.log(
        sympy.Rational(k.numerator, k.denominator) if isinstance(k, Fraction) else k) for k, c in logs.items() if c]
    exact = sympy.Rational(total_rat.numerator, total_rat.denominator) + sympy.Add(*sym) + sympy.Add(*log_terms)
    # thin transition slabs give huge cancelling terms (coefficients ~1e38 times logs of ratios ~1 + 1e-8):
    # raise the interval precision until the enclosure is tight
    from mpmath import iv

    old_prec = iv.prec
    try:
        for prec in (160, 320, 640, 1280, 2560, 5120):
            enc = _iv(total_rat, prec)
            for t in sym:
                enc += _iv(t, prec)
            for k, c in logs.items():
                if c:
                    enc += _iv(c, prec) * _iv(sympy.log(sympy.Rational(k.numerator, k.denominator)
                                                        if isinstance(k, Fraction) else k), prec)
            lo = _mpf_fraction(enc._mpi_[0])
            hi = _mpf_fraction(enc._mpi_[1])
            if hi - lo <= Fraction(1, 10 ** 30) + abs(hi) / 10 ** 20:
                break
    finally:
        iv.prec = old_prec
    scale = 10 ** 30                     # round the enclosure outward to 30 decimals
    return SymbolicError(exact, Fraction(math.floor(lo * scale), scale), Fraction(math.ceil(hi * scale), scale))


# ------------------------------------------------------------------------------------------
# one entry point
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LpErrorReport:
    """What :func:`lp_error` found. ``bound`` is rigorous given the checks in ``verdict``."""

    verdict: Verdict
    bound: Fraction | None
    parts: BoundParts | None
    numeric: NumericResult | None
    exact_pth_power: Fraction | None
    max_abs_parameter: Fraction
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def exact_error(self) -> float | None:
        """``(exact ||f - NN||_p^p)^(1/p)`` as a float (the p-th power itself is exact)."""
        if self.exact_symbolic is not None:
            return float(self.exact_symbolic.high) ** (1 / float(self.parts_p))
        return None if self.exact_pth_power is None else float(self.exact_pth_power) ** (1 / float(self.parts_p))

    parts_p: Fraction = Fraction(1)
    # odd p, f - NN non-linear (e.g. x1*x2): exact value with logs/surds + rigorous enclosure
    exact_symbolic: SymbolicError | None = None

    def conditioning(self) -> str:
        """The conditioning line every approximation report prints."""
        dev = "n/a" if self.numeric is None else f"{self.numeric.max_float_deviation:.3g}"
        return (f"conditioning: max |parameter| = {float(self.max_abs_parameter):.4g}; max |float64 - exact| "
                f"of the network on {self.numeric.points if self.numeric else 0} sample points = {dev}")


def lp_error(
    net: Network,
    f: Any,
    domain: Box,
    p: Any,
    *,
    n: int,
    eta: Fraction,
    targets: Sequence[Sequence[Fraction]],
    target_error: Fraction = _ZERO,
    lipschitz: Fraction | None = None,
    sobolev: Fraction | None = None,
    f_range: Sequence[tuple[Fraction, Fraction]] | None = None,
    numeric: bool = True,
    exact: bool = True,
    seed: int = 0,
) -> LpErrorReport:
    """(a) rigorous bound, (b) numeric estimate, (c) exact error (d <= 2, piecewise-polynomial f, integer p).

    ``f``: sympy expressions (tuple for m outputs) or a callable on (N, d) float arrays (numeric only).
    (a) needs the grid (``n``, ``eta``), the cell ``targets``, their accuracy ``target_error`` and one of
    ``lipschitz`` / ``sobolev`` (+ ``f_range``); it first proves NN = targets on every good box and
    bounds NN's range, and reports UNKNOWN/REFUTED (bound None) if that fails.

    Examples
    --------
    >>> from nncert.verify.expr import parse
    >>> one = [(Fraction(0), Fraction(1))]
    >>> net = Network.from_rows([[[0]], [[0]]], [[0], [0]])              # NN = 0 = f
    >>> r = lp_error(net, [parse("0", 1)], one, 2, n=1, eta=Fraction(0), targets=[(Fraction(0),)],
    ...              lipschitz=Fraction(0))
    >>> r.bound, r.exact_pth_power
    (Fraction(0, 1), Fraction(0, 1))
    """
    from nncert.core import to_fraction

    pp = to_fraction(p, "p")
    dom = [(Fraction(a), Fraction(b)) for a, b in domain]
    mx = max((abs(v) for v in net.parameters()), default=_ZERO)
    v_cells = check_cells(net, dom, n, eta, targets)
    rng = output_range(net, dom)
    parts = None
    bound = None
    if v_cells.holds:
        parts = rigorous_bound(dom, n, eta, pp, targets, target_error, rng, lipschitz=lipschitz, sobolev=sobolev,
                               f_range=f_range)
        bound = parts.bound
    num = None
    if numeric:
        breaks = []
        for _ in dom:
            bs = {Fraction(0), Fraction(1)}
            for i in range(1, n):
                bs.update((Fraction(i, n) - eta / 2, Fraction(i, n) + eta / 2))
            breaks.append(sorted(bs))
        if len(dom) == 1 and n < 16:
            breaks = [_refine(breaks[0], 16 // n + 1)]
        num = numeric_error(net, f, dom, pp, breaks=breaks if len(dom) <= 2 else None, seed=seed)
    ex = None
    if exact and not callable(f) and len(f) == 1 and len(dom) <= 2:
        ex = exact_error_1d(net, f[0], dom, pp) if len(dom) == 1 else exact_error_2d(net, f[0], dom, pp)
    ex_sym = None
    if ex is None and exact and not callable(f) and len(f) == 1 and len(dom) == 2:
        ex_sym = exact_error_2d_odd(net, f[0], dom, pp)
    rep = LpErrorReport(v_cells, bound, parts, num, ex, mx, {"nn_range": rng}, pp, ex_sym)
    return rep


def _refine(bs: list[Fraction], k: int) -> list[Fraction]:
    out = []
    for a, b in zip(bs, bs[1:]):
        out.extend(a + (b - a) * i / k for i in range(k))
    out.append(bs[-1])
    return out


def _as_sympy(v: Any) -> Any:
    """A Fraction as a sympy Rational (other values are sympy numbers already); never parses text."""
    import sympy

    return sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v
