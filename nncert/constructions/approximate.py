"""Width d+1 approximation in L^p with a certified error bound (paper 1, parts 3-4; ``docs/approximation.md``).

Construction (``/work/shared/design/approximation.md``, with a sharper good-set bound):

1. Rescale the box ``prod [lo_j, hi_j]`` to the unit cube (``u_j = (x_j - lo_j)/s_j``, inside the first layer).
2. Quantize each axis in place with width d+1: ``v -> relu(v - a0) - relu(v - b1)`` flattens cells 0 and
   n-1, then ``psi_i(v) = -relu(a - v) + relu(v - b) + a`` (a = i*eta, b = a + 1/n - eta) flattens the
   good part of cell i to ``i*eta``; n - 1 layers per axis. ``q_j = v_j/eta`` is the cell index on the good set.
3. ``code = sum_j q_j n^j`` (affine, no layer), then a width-2 *real-target* peel (the memorization peel
   of ``docs/memorization.md`` with real targets shifted to be >= 0) sends code c to the cell target T_c.
4. A clamp layer ``relu(g) - relu(g - H)`` keeps the output in ``[min T, max T]`` everywhere.
   For m outputs the code is copied into m neurons and the peel + clamp run channel by channel
   (width max(d+1, m+1)).

Targets: ``f`` at cell centres (Lipschitz route) or cell averages (Sobolev route), rounded to
multiples of 2^-24 when not rational (the rounding error ``delta`` enters the bound).

Certified bound (unit-cube cells of side h = 1/n, S = box diagonal, |B| = box volume, p = a/b)::

    good^p <= (A + sqrt(m) delta |B|^(1/p))^p,  A = L S (h/2) (|B| d/(d+p))^(1/p)       (Lipschitz)
                                                A = C_Omega K h                              (Sobolev, Poincare)
    bad^p  <= Mb^p |B| (1 - (1 - (n-1) eta)^d),  Mb = |f - NN| bound on the transition slabs
    ||f - NN||_p <= (good^p + bad^p)^(1/p)

Every irrational quantity is replaced by a rational upper bound that is checked exactly (``r^k >= v``).
The trusted checker (:mod:`nncert.verify.lp_error`) re-derives the bound with its own code.
Floats appear only in the search for n (a heuristic) and in the interval derivation of a Lipschitz
constant (mpmath interval arithmetic, outward rounded).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Sequence

from nncert.core import Network, fmt, parse_decimal, to_fraction
from nncert.errors import InvalidArgument

__all__ = ["Approximation", "approximate", "parse_domain", "parse_p", "lipschitz_bound", "range_bound"]

#: Non-rational targets are rounded to multiples of 2^-TARGET_BITS.
TARGET_BITS = 24
#: Largest numerator / denominator accepted in p.
MAX_P_PART = 64
#: Largest number of cells n^d (times m) the construction builds.
MAX_CELLS = 200_000
#: Rational upper bounds of omega_d (volume of the unit d-ball), d = 1..4; pi < 355/113.
_PI_UP = Fraction(355, 113)


@dataclass(frozen=True)
class Approximation:
    """A width-(d+1) network approximating ``f`` with its certified L^p error bound and construction record."""

    network: Network
    bound: Fraction
    n: int
    eta: Fraction
    p: Fraction
    eps: Fraction
    domain: tuple[tuple[Fraction, Fraction], ...]
    m: int
    route: str  # "lipschitz" | "sobolev"
    regularity: dict[str, Any]
    targets: tuple[tuple[Fraction, ...], ...]  # one tuple (m values) per cell, cells in code order
    target_error: Fraction
    exprs: tuple[str, ...] | None  # grammar text of f (None for a callable)
    depth_formula: int
    n_formula: int
    peel_costs: tuple[int, ...]
    seconds: float
    record: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def d(self) -> int:
        """Input dimension."""
        return len(self.domain)

    @property
    def width(self) -> int:
        """Max hidden width of the network."""
        return self.network.width

    @property
    def depth(self) -> int:
        """Hidden layers of the network."""
        return self.network.depth


# --------------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------------
def parse_domain(domain: Any) -> tuple[tuple[Fraction, Fraction], ...]:
    """A box from ``"0:1,0:2"``, ``[("0", "1"), (0, 2)]`` or ``[(lo, hi), ...]`` (exact, d = 1..4).

    Examples
    --------
    >>> parse_domain("0:1, -1/2:1/2")
    ((Fraction(0, 1), Fraction(1, 1)), (Fraction(-1, 2), Fraction(1, 2)))
    >>> parse_domain("0:inf")
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidArgument: domain: axis 1 upper end 'inf' is not finite; the theorem needs a bounded domain
    """
    if isinstance(domain, str):
        parts = [s.strip() for s in domain.split(",") if s.strip()]
        pairs: list[tuple[Any, Any]] = []
        for k, s in enumerate(parts):
            if s.count(":") != 1:
                raise InvalidArgument(f"domain: axis {k + 1} {s!r} is not of the form lo:hi")
            a, b = s.split(":")
            pairs.append((a.strip(), b.strip()))
    else:
        try:
            pairs = [tuple(ab) for ab in domain]  # type: ignore[misc]
        except TypeError:
            raise InvalidArgument(f"domain must be a list of (lo, hi) pairs or text like '0:1,0:1', got {domain!r}") from None
    if not 1 <= len(pairs) <= 4:
        raise InvalidArgument(f"domain has dimension {len(pairs)}; supported d = 1..4")
    out = []
    for k, ab in enumerate(pairs):
        if len(ab) != 2:
            raise InvalidArgument(f"domain: axis {k + 1} needs (lo, hi), got {ab!r}")
        ends = []
        for name, v in zip(("lower", "upper"), ab):
            if isinstance(v, float) and not math.isfinite(v) or (
                isinstance(v, str) and v.strip().lower().lstrip("+-") in ("inf", "infinity", "oo", "nan")
            ) or getattr(v, "is_infinite", False) is True:
                raise InvalidArgument(
                    f"domain: axis {k + 1} {name} end {str(v)!r} is not finite; the theorem needs a bounded domain"
                )
            if isinstance(v, float):
                v = Fraction(v)
            ends.append(to_fraction(v, f"domain axis {k + 1} {name} end"))
        if not ends[0] < ends[1]:
            raise InvalidArgument(f"domain: axis {k + 1} has lo={fmt(ends[0])} >= hi={fmt(ends[1])}")
        out.append((ends[0], ends[1]))
    return tuple(out)


def parse_p(p: Any) -> Fraction:
    """The exponent p as an exact rational in [1, inf) with numerator, denominator <= 64.

    Examples
    --------
    >>> parse_p(2), parse_p("3/2")
    (Fraction(2, 1), Fraction(3, 2))
    >>> parse_p("inf")
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidArgument: p = inf is not covered: the L^p approximation theorem (paper 1, part 3) needs p in [1, inf) (uniform approximation of discontinuous L^p targets is impossible)
    """
    if (isinstance(p, float) and math.isinf(p)) or (isinstance(p, str) and p.strip().lower().lstrip("+") in ("inf", "infinity", "oo")) \
            or getattr(p, "is_infinite", False) is True:
        raise InvalidArgument(
            "p = inf is not covered: the L^p approximation theorem (paper 1, part 3) needs p in [1, inf) "
            "(uniform approximation of discontinuous L^p targets is impossible)"
        )
    if isinstance(p, float):
        if math.isnan(p):
            raise InvalidArgument("p is NaN")
        p = repr(p)
    q = to_fraction(p, "p")
    if q < 1:
        raise InvalidArgument(
            f"p = {fmt(q)} < 1 is not covered: the L^p approximation theorem (paper 1, part 3) needs p in [1, inf) "
            "(for p < 1, L^p is not a normed space)"
        )
    if q.numerator > MAX_P_PART * q.denominator or q.denominator > MAX_P_PART:
        raise InvalidArgument(f"p = {fmt(q)}: supported are rationals a/b with a/b <= {MAX_P_PART}, b <= {MAX_P_PART}")
    return q


def _parse_eps(eps: Any) -> Fraction:
    if isinstance(eps, float):
        if not math.isfinite(eps):
            raise InvalidArgument(f"eps = {eps!r} is not finite")
        eps = repr(eps)
    e = to_fraction(eps, "eps")
    if e <= 0:
        raise InvalidArgument(f"eps = {fmt(e)} must be > 0 (the theorem gives an error below any positive eps)")
    return e


def _as_exprs(f: Any, d: int) -> tuple[Any, ...]:
    """Sympy expressions in our real symbols x1..xd (names checked)."""
    import sympy

    from nncert.verify.expr import parse, symbols

    syms = symbols(d)
    items = list(f) if isinstance(f, (tuple, list)) else [f]
    if not items:
        raise InvalidArgument("f is an empty tuple; give at least one output expression")
    out = []
    for k, e in enumerate(items):
        if isinstance(e, str):
            e = parse(e, d)
        elif isinstance(e, (int, Fraction)):
            e = sympy.Rational(Fraction(e).numerator, Fraction(e).denominator)
        elif not isinstance(e, sympy.Basic):
            raise InvalidArgument(f"f[{k}] is {type(e).__name__}; give a sympy expression, grammar text or a callable")
        sub = {}
        for s in e.free_symbols:
            name = getattr(s, "name", str(s))
            if name.startswith("x") and name[1:].isdigit() and 1 <= int(name[1:]) <= d:
                sub[s] = syms[int(name[1:]) - 1]
            elif name.startswith("x") and name[1:].isdigit():
                raise InvalidArgument(f"f uses {name} but the domain has dimension d={d} (symbols x1..x{d})")
            else:
                raise InvalidArgument(f"f uses unknown symbol {name!r} (allowed: x1..x{d})")
        e = e.xreplace(sub)
        for fn in e.atoms(sympy.Function):
            if not isinstance(fn, (sympy.sin, sympy.cos, sympy.exp, sympy.log, sympy.Abs)):
                raise InvalidArgument(f"f uses unsupported function {type(fn).__name__} (allowed: sin cos exp log sqrt abs)")
        out.append(e)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# exact rational upper bounds of roots (construction side; the checker has its own)
# --------------------------------------------------------------------------------------------
def _iroot_ceil(x: int, k: int) -> int:
    """Smallest r >= 0 with r^k >= x."""
    if x <= 0:
        return 0
    if k == 1:
        return x
    r = 1 << ((x.bit_length() + k - 1) // k)  # r^k >= x
    while True:  # Newton from above
        s = ((k - 1) * r + x // r ** (k - 1)) // k
        if s >= r:
            break
        r = s
    while r ** k < x:
        r += 1
    while r > 0 and (r - 1) ** k >= x:
        r -= 1
    return r


def _pow_up(v: Fraction, num: int, den: int, bits: int = 64) -> Fraction:
    """A rational r >= v^(num/den) (v >= 0) within relative 2^-bits."""
    if v < 0:
        raise InvalidArgument("internal: power of a negative number")
    if v == 0:
        return Fraction(0)
    w = v ** num
    scale = 1 << (bits + 8)
    big = -((-w.numerator * scale ** den) // w.denominator)  # ceil
    return Fraction(_iroot_ceil(big, den), scale)


# --------------------------------------------------------------------------------------------
# interval arithmetic on sympy expressions (mpmath.iv, outward rounded): Lipschitz and range bounds
# --------------------------------------------------------------------------------------------
def _iv_eval(e: Any, env: dict[Any, Any]) -> Any:
    import sympy
    from mpmath import iv

    if e in env:
        return env[e]
    if e.is_Rational:
        return iv.mpf(int(e.p)) / iv.mpf(int(e.q))
    if e is sympy.pi:
        return iv.pi
    if e is sympy.E:
        return iv.e
    if e.is_Add:
        acc = iv.mpf(0)
        for a in e.args:
            acc = acc + _iv_eval(a, env)
        return acc
    if e.is_Mul:
        acc = iv.mpf(1)
        for a in e.args:
            acc = acc * _iv_eval(a, env)
        return acc
    if e.is_Pow:
        base = _iv_eval(e.base, env)
        ex = e.exp
        if ex.is_Integer:
            k = int(ex)
            if k >= 0:
                out = iv.mpf(1)
                for _ in range(k):
                    out = out * base
                # even powers are >= 0 (interval multiplication loses this)
                if k % 2 == 0 and _ends(out)[0] < 0:
                    out = iv.mpf([0, out.b])
                return out
            if _contains0(base):
                raise InvalidArgument(f"cannot bound {e}: division by an interval containing 0")
            return iv.mpf(1) / _iv_eval(sympy.Pow(e.base, -ex), env)
        if ex == sympy.Rational(1, 2):
            if base.a < 0:
                raise InvalidArgument(f"cannot bound {e}: sqrt of a possibly negative value")
            return iv.sqrt(base)
        if _lo_positive(base):
            return iv.exp(_iv_eval(ex, env) * iv.log(base))
        raise InvalidArgument(f"cannot bound {e}: fractional power of a possibly non-positive value")
    if isinstance(e, sympy.sin):
        return iv.sin(_iv_eval(e.args[0], env))
    if isinstance(e, sympy.cos):
        return iv.cos(_iv_eval(e.args[0], env))
    if isinstance(e, sympy.exp):
        return iv.exp(_iv_eval(e.args[0], env))
    if isinstance(e, sympy.log):
        a = _iv_eval(e.args[0], env)
        if not _lo_positive(a):
            raise InvalidArgument(f"cannot bound {e}: log of a possibly non-positive value on the domain")
        return iv.log(a)
    if isinstance(e, sympy.Abs):
        a = _iv_eval(e.args[0], env)
        return _iv_abs(a)
    if isinstance(e, sympy.sign):
        a = _iv_eval(e.args[0], env)
        if _lo_positive(a):
            return iv.mpf(1)
        if _lo_positive(-a):
            return iv.mpf(-1)
        return iv.mpf([-1, 1])
    if isinstance(e, (sympy.Heaviside, sympy.DiracDelta)):
        raise InvalidArgument(f"cannot bound {e}")
    raise InvalidArgument(f"cannot bound {type(e).__name__} ({e}) by interval arithmetic")


def _raw_frac(raw: Any) -> Fraction:
    sign, man, exp, _bc = raw
    val = Fraction(int(man)) * (Fraction(2) ** int(exp)) if man else Fraction(0)
    return -val if sign else val


def _ends(x: Any) -> tuple[Fraction, Fraction]:
    a, b = x._mpi_
    return _raw_frac(a), _raw_frac(b)


def _contains0(x: Any) -> bool:
    lo, hi = _ends(x)
    return lo <= 0 <= hi


def _lo_positive(x: Any) -> bool:
    return _ends(x)[0] > 0


def _iv_abs(a: Any) -> Any:
    from mpmath import iv

    lo, hi = _ends(a)
    if lo >= 0:
        return a
    if hi <= 0:
        return -a
    return iv.mpf([0, max(-a.a, a.b)])


def _iv_box(box: Sequence[tuple[Fraction, Fraction]]) -> list[Any]:
    from mpmath import iv

    out = []
    for lo, hi in box:
        a = iv.mpf(lo.numerator) / iv.mpf(lo.denominator)
        b = iv.mpf(hi.numerator) / iv.mpf(hi.denominator)
        out.append(iv.mpf([a.a, b.b]))
    return out


def _subboxes(domain: Sequence[tuple[Fraction, Fraction]], k: int) -> list[list[tuple[Fraction, Fraction]]]:
    import itertools

    axes = [[(lo + (hi - lo) * i / k, lo + (hi - lo) * (i + 1) / k) for i in range(k)] for lo, hi in domain]
    return [list(c) for c in itertools.product(*axes)]


def lipschitz_bound(exprs: Sequence[Any], domain: Sequence[tuple[Fraction, Fraction]], pieces: int = 0) -> Fraction:
    """A rational upper bound of the Euclidean Lipschitz constant of ``x -> (f_1, .., f_m)`` on the box.

    ``sqrt(sum_kj sup |d f_k/d x_j|^2)`` (Frobenius >= operator norm) with sup by mpmath interval
    arithmetic (outward rounding) on ``pieces^d`` sub-boxes. Derivatives of ``abs`` are ``sign`` in [-1, 1].

    Examples
    --------
    >>> from nncert.verify.expr import parse
    >>> lipschitz_bound([parse("abs(x1 - 1/2)", 1)], parse_domain("0:1"))
    Fraction(1, 1)
    """
    import sympy
    from mpmath import iv

    from nncert.verify.expr import symbols

    d = len(domain)
    syms = symbols(d)
    if pieces <= 0:
        pieces = {1: 64, 2: 12, 3: 5, 4: 3}[d]
    old = iv.prec
    iv.prec = 80
    try:
        total = Fraction(0)
        for e in exprs:
            for j in range(d):
                g = sympy.diff(e, syms[j])
                if g.has(sympy.Derivative, sympy.Subs):
                    raise InvalidArgument(f"cannot differentiate {e}; pass lipschitz=")
                if g == 0:
                    continue
                best = Fraction(0)
                for sub in _subboxes(domain, pieces):
                    env = dict(zip(syms, _iv_box(sub)))
                    val = _iv_abs(_iv_eval(g, env))
                    best = max(best, _ends(val)[1])
                total += best * best
    finally:
        iv.prec = old
    r = _pow_up(total, 1, 2, bits=40)
    return _nice_up(r)


def range_bound(expr: Any, domain: Sequence[tuple[Fraction, Fraction]], pieces: int = 0) -> tuple[Fraction, Fraction]:
    """Rational (lo, hi) with lo <= f <= hi on the box (mpmath interval arithmetic on sub-boxes)."""
    from mpmath import iv

    from nncert.verify.expr import symbols

    d = len(domain)
    syms = symbols(d)
    if pieces <= 0:
        pieces = {1: 64, 2: 12, 3: 5, 4: 3}[d]
    old = iv.prec
    iv.prec = 80
    try:
        lo, hi = None, None
        for sub in _subboxes(domain, pieces):
            a, b = _ends(_iv_eval(expr, dict(zip(syms, _iv_box(sub)))))
            lo = a if lo is None else min(lo, a)
            hi = b if hi is None else max(hi, b)
    finally:
        iv.prec = old
    assert lo is not None and hi is not None
    return _nice_down(lo), _nice_up(hi)


def _nice_up(x: Fraction, bits: int = 30) -> Fraction:
    """Round up to a multiple of 2^-bits (keeps certificate numbers short)."""
    s = 1 << bits
    return Fraction(-((-x.numerator * s) // x.denominator), s)


def _nice_down(x: Fraction, bits: int = 30) -> Fraction:
    s = 1 << bits
    return Fraction((x.numerator * s) // x.denominator, s)


# --------------------------------------------------------------------------------------------
# targets
# --------------------------------------------------------------------------------------------
def _round_target(val: Any) -> tuple[Fraction, bool]:
    """(rational target, exact?) for a sympy number."""
    import sympy

    if val.is_Rational:
        return Fraction(int(val.p), int(val.q)), True
    v = sympy.N(val, 40)
    if not v.is_real or not v.is_finite:
        raise InvalidArgument(f"f takes the non-real or undefined value {val} on the domain")
    scale = 1 << TARGET_BITS
    k = int(sympy.floor(v * scale + sympy.Rational(1, 2)))
    return Fraction(k, scale), False


def _cell_centres(domain: Sequence[tuple[Fraction, Fraction]], n: int) -> list[tuple[Fraction, ...]]:
    d = len(domain)
    out = []
    for code in range(n ** d):
        idx, c = [], code
        for _ in range(d):
            idx.append(c % n)
            c //= n
        out.append(tuple(lo + (hi - lo) * (2 * i + 1) / (2 * n) for (lo, hi), i in zip(domain, idx)))
    return out


def _targets_centre(exprs: Sequence[Any] | None, func: Callable | None, domain, n: int, m: int):  # noqa: ANN001, ANN202
    import sympy

    from nncert.verify.expr import symbols

    centres = _cell_centres(domain, n)
    syms = symbols(len(domain))
    rows: list[tuple[Fraction, ...]] = []
    exact = True
    for c in centres:
        if func is not None:
            val = func(*[float(v) for v in c]) if len(c) > 1 else func(float(c[0]))
            vals = list(val) if isinstance(val, (tuple, list)) else [val]
            if len(vals) != m:
                raise InvalidArgument(f"the callable returned {len(vals)} values at {tuple(map(fmt, c))}, expected m={m}")
            row = []
            for v in vals:
                if isinstance(v, float) or type(v).__name__.startswith("float"):
                    if not math.isfinite(float(v)):
                        raise InvalidArgument(f"the callable returned {v!r} at {tuple(map(fmt, c))}")
                    row.append(Fraction(float(v)))
                else:
                    row.append(to_fraction(v, "f(x)"))
            rows.append(tuple(row))
            continue
        sub = {s: sympy.Rational(v.numerator, v.denominator) for s, v in zip(syms, c)}
        row = []
        for e in exprs or ():
            t, ex = _round_target(e.xreplace(sub))
            exact &= ex
            row.append(t)
        rows.append(tuple(row))
    delta = Fraction(0) if exact else Fraction(1, 1 << TARGET_BITS)
    return rows, delta


def _targets_average(exprs: Sequence[Any], domain, n: int):  # noqa: ANN001, ANN202
    import sympy

    from nncert.verify.expr import symbols

    d = len(domain)
    syms = symbols(d)
    rows = []
    exact = True
    for code in range(n ** d):
        idx, c = [], code
        for _ in range(d):
            idx.append(c % n)
            c //= n
        lims = []
        vol = Fraction(1)
        for s, (lo, hi), i in zip(syms, domain, idx):
            a = lo + (hi - lo) * i / n
            b = lo + (hi - lo) * (i + 1) / n
            vol *= b - a
            lims.append((s, sympy.Rational(a.numerator, a.denominator), sympy.Rational(b.numerator, b.denominator)))
        row = []
        for e in exprs:
            val = sympy.integrate(e, *lims)
            if val.has(sympy.Integral):
                raise InvalidArgument(f"sympy cannot integrate {e} over a cell; use the Lipschitz route")
            t, ex = _round_target(val / sympy.Rational(vol.numerator, vol.denominator))
            exact &= ex
            row.append(t)
        rows.append(tuple(row))
    return rows, (Fraction(0) if exact else Fraction(1, 1 << TARGET_BITS))


# --------------------------------------------------------------------------------------------
# the network
# --------------------------------------------------------------------------------------------
class _Builder:
    """Layers as affine maps of the previous layer's neurons; 'values' are affine combos of neurons."""

    def __init__(self, d: int) -> None:
        self.weights: list[tuple[tuple[Fraction, ...], ...]] = []
        self.biases: list[tuple[Fraction, ...]] = []
        self.size = d  # neurons in the current (last) layer; inputs at first

    def layer(self, pres: list[tuple[dict[int, Fraction], Fraction]]) -> None:
        zero = Fraction(0)
        rows = tuple(tuple(co.get(i, zero) for i in range(self.size)) for co, _ in pres)
        self.weights.append(rows)
        self.biases.append(tuple(Fraction(b) for _, b in pres))
        self.size = len(pres)


def _lin(*terms: tuple[Fraction, tuple[dict[int, Fraction], Fraction]], const: Fraction = Fraction(0)):  # noqa: ANN202
    """sum coef * value + const for values (dict, const)."""
    co: dict[int, Fraction] = {}
    c = Fraction(const)
    for k, (vc, vb) in terms:
        for i, w in vc.items():
            co[i] = co.get(i, Fraction(0)) + k * w
        c += k * vb
    return ({i: w for i, w in co.items() if w}, c)


def _peel_steps(targets: Sequence[Fraction], shift: Fraction, top: Fraction) -> list[tuple[Fraction, Fraction]]:
    """Peel steps (threshold, slope) sending z = code + shift to targets[code] (targets >= 0, top = max)."""
    n = len(targets)
    runs: list[tuple[int, int]] = []
    i = 0
    while i < n:
        j = i
        while j + 1 < n and targets[j + 1] == targets[i]:
            j += 1
        runs.append((i, j - i + 1))
        i = j + 1
    steps: list[tuple[Fraction, Fraction]] = []
    for start, size in reversed(runs):
        low = start + shift
        p = (start - 1 + shift) if start > 0 else top
        tgt = targets[start]
        t = (low + p) / 2
        if size == 1:
            steps.append((t, (tgt - low) / (low - t)))
        else:
            steps.append((t, Fraction(-1)))
            t2 = (t + p) / 2
            steps.append((t2, (tgt - t) / (t - t2)))
    return steps


def _build(domain, n: int, eta: Fraction, targets: Sequence[Sequence[Fraction]]) -> tuple[Network, list[int]]:  # noqa: ANN001
    d = len(domain)
    m = len(targets[0])
    B = _Builder(d)
    one = Fraction(1)
    # values: u_j = x_j / s_j - lo_j / s_j  on the input layer
    vals: dict[str, tuple[dict[int, Fraction], Fraction]] = {}
    for j, (lo, hi) in enumerate(domain):
        s = hi - lo
        vals[f"u{j}"] = ({j: 1 / s}, -lo / s)

    def step(active: dict[str, tuple[dict, Fraction]], extra: list[tuple[str, tuple[dict, Fraction]]]) -> None:
        """One layer: carry every value not in `extra` as relu(value); extra = named new neurons."""
        nonlocal vals
        pres, names = [], []
        for name, v in vals.items():
            if name in active:
                continue
            pres.append(v)
            names.append(name)
        for name, v in extra:
            pres.append(v)
            names.append(name)
        B.layer(pres)
        newvals = {}
        for idx, name in enumerate(names):
            if name in active or name.startswith("_"):
                continue
            newvals[name] = ({idx: one}, Fraction(0))
        idx_of = {name: i for i, name in enumerate(names)}
        for name, rebuild in active.items():
            newvals[name] = rebuild(idx_of)  # type: ignore[operator]
        vals = newvals

    if n >= 2:
        a0 = Fraction(1, n) - eta / 2
        b1 = Fraction(n - 1, n) + eta / 2
        for j in range(d):
            v = vals[f"u{j}"]
            step({f"u{j}": lambda ix: ({ix["_p"]: one, ix["_q"]: -one}, Fraction(0))},
                 [("_p", _lin((one, v), const=-a0)), ("_q", _lin((one, v), const=-b1))])
            for i in range(1, n - 1):
                v = vals[f"u{j}"]
                a = i * eta
                b = a + Fraction(1, n) - eta
                step({f"u{j}": (lambda ix, a=a: ({ix["_p"]: -one, ix["_q"]: one}, a))},
                     [("_p", _lin((-one, v), const=a)), ("_q", _lin((one, v), const=-b))])
        code = _lin(*[(Fraction(n ** j) / eta, vals[f"u{j}"]) for j in range(d)])
    else:
        code = ({}, Fraction(0))
    # peel + clamp, channel by channel
    shifted, lows, tops, shifts = [], [], [], []
    for k in range(m):
        col = [row[k] for row in targets]
        lo = min(col)
        tp = [t - lo for t in col]
        top = max(tp)
        shifted.append(tp)
        lows.append(lo)
        tops.append(top)
        shifts.append(Fraction(math.floor(top) + 1))
    if d >= 2 and m == 1:
        # Width 3 <= d+1 allows a fold-free phase: the piecewise-linear interpolation Phi of (c, T'_c),
        # accumulated as acc = Phi_k(s) + M with s = code carried and one new relu(s - c) per layer.
        # No folding: the network has few linear regions on the transition slabs (exact error stays cheap).
        tp, top, lo0 = shifted[0], tops[0], lows[0]
        N = len(tp)
        slopes = [tp[c + 1] - tp[c] for c in range(N - 1)] or [Fraction(0)]
        M = (N + 1) * top + 1
        kinks = [(c, slopes[c] - slopes[c - 1]) for c in range(1, N - 1) if slopes[c] != slopes[c - 1]]
        vals = {"s": code, "acc": _lin((slopes[0], code), const=tp[0] + M)}
        if not kinks:
            step({}, [])
        for c, dc in kinks:
            step({}, [("_r", _lin((one, vals["s"]), const=-c))])  # carries s and acc (both >= 0 on the box)
            vals["acc"] = _lin((one, vals["acc"]), (dc, ({B.size - 1: one}, Fraction(0))))
        g = _lin((one, vals["acc"]), const=-M)
        vals = {}
        step({"y": (lambda ix: ({ix["_p"]: one, ix["_q"]: -one}, Fraction(0)))},
             [("_p", g), ("_q", _lin((one, g), const=-top))])
        out = _lin((one, vals["y"]), const=lo0)
        B.weights.append((tuple(out[0].get(i, Fraction(0)) for i in range(B.size)),))
        B.biases.append((out[1],))
        return Network(tuple(B.weights), tuple(B.biases)), [len(kinks) or 1]
    vals = {f"z{k}": _lin((one, code), const=shifts[k]) for k in range(m)}
    costs = []
    for k in range(m):
        steps = _peel_steps(shifted[k], shifts[k], tops[k])
        costs.append(len(steps))
        for t, c in steps:
            v = vals[f"z{k}"]
            step({f"z{k}": (lambda ix, c=c: ({ix["_p"]: one, ix["_q"]: c}, Fraction(0)))},
                 [("_p", v), ("_q", _lin((one, v), const=-t))])
        v = vals[f"z{k}"]
        step({f"z{k}": (lambda ix: ({ix["_p"]: one, ix["_q"]: -one}, Fraction(0)))},
             [("_p", v), ("_q", _lin((one, v), const=-tops[k]))])
    outs = [_lin((one, vals[f"z{k}"]), const=lows[k]) for k in range(m)]
    zero = Fraction(0)
    B.weights.append(tuple(tuple(co.get(i, zero) for i in range(B.size)) for co, _ in outs))
    B.biases.append(tuple(c for _, c in outs))
    return Network(tuple(B.weights), tuple(B.biases)), costs


# --------------------------------------------------------------------------------------------
# bound (construction side)
# --------------------------------------------------------------------------------------------
def _omega_up(d: int) -> Fraction:
    """Rational upper bound of the volume of the unit d-ball."""
    return {1: Fraction(2), 2: _PI_UP, 3: 4 * _PI_UP / 3, 4: _PI_UP ** 2 / 2}[d]


def _geometry(domain) -> tuple[Fraction, Fraction, Fraction]:  # noqa: ANN001
    vol = Fraction(1)
    diag2 = Fraction(0)
    for lo, hi in domain:
        vol *= hi - lo
        diag2 += (hi - lo) ** 2
    return vol, diag2, _pow_up(diag2, 1, 2)


def _good_a(route: str, reg: dict[str, Fraction], domain, n: int, p: Fraction) -> Fraction:  # noqa: ANN001
    """Rational upper bound of the regularity part A of the good-set error."""
    d = len(domain)
    vol, diag2, S = _geometry(domain)
    a, b = p.numerator, p.denominator
    if route == "lipschitz":
        R = _pow_up(vol * d / (d + p), b, a)
        return reg["lipschitz"] * S * Fraction(1, 2 * n) * R
    # Sobolev: C_Omega = omega_d^(1-1/d) S^d / |B|^(1-1/d) (Gilbarg-Trudinger (7.45) on each cell)
    c = _c_omega(domain)
    return c * reg["sobolev"] / n


def _c_omega(domain) -> Fraction:  # noqa: ANN001
    d = len(domain)
    vol, diag2, S = _geometry(domain)
    if d == 1:
        return S  # ||u - u_Q||_p <= h ||u'||_p on an interval of length h
    w = _pow_up(_omega_up(d) / vol, d - 1, d)
    return w * _pow_up(diag2, d, 2)


def _total_bound(A: Fraction, delta: Fraction, m: int, vol: Fraction, p: Fraction, mb: Fraction,
                 bad_measure: Fraction) -> Fraction:
    a, b = p.numerator, p.denominator
    G = A + _pow_up(Fraction(m), 1, 2) * delta * _pow_up(vol, b, a)
    Gp = _pow_up(G, a, b)
    Bp = _pow_up(mb, a, b) * bad_measure
    return _pow_up(Gp + Bp, b, a)


def _mb(targets, route: str, reg: dict[str, Fraction], S: Fraction, n: int, delta: Fraction) -> tuple[Fraction, list]:  # noqa: ANN001
    m = len(targets[0])
    per = []
    sq = Fraction(0)
    for k in range(m):
        col = [row[k] for row in targets]
        lo, hi = min(col), max(col)
        if route == "lipschitz":
            e = reg["lipschitz"] * S / (2 * n) + delta
            flo, fhi = lo - e, hi + e
        else:
            flo, fhi = reg["f_lo"][k], reg["f_hi"][k]
        mk = max(hi - flo, fhi - lo, Fraction(0))
        per.append(mk)
        sq += mk * mk
    return _pow_up(sq, 1, 2), per


def _dyadic_floor(x: Fraction) -> Fraction:
    """Largest power of 2 (possibly negative exponent) <= x, x > 0."""
    k = x.numerator.bit_length() - x.denominator.bit_length()
    v = Fraction(2) ** k
    while v > x:
        v /= 2
    while v * 2 <= x:
        v *= 2
    return v


def approximate(
    f: Any,
    domain: Any,
    p: Any,
    eps: Any,
    *,
    lipschitz: Any = None,
    sobolev: Any = None,
    m: int | None = None,
    f_range: Any = None,
    max_cells: int = MAX_CELLS,
    progress: Callable[[str, float], None] | None = None,
) -> Approximation:
    """Width-(d+1) ReLU network ``NN`` with a certified bound on ``||f - NN||_{L^p(box)}`` that is <= eps.

    Parameters
    ----------
    f : sympy expression in x1..xd, grammar text (see :mod:`nncert.verify.expr`), a tuple of those
        (R^m-valued target), or a Python callable ``f(x1, ..., xd)`` (then ``lipschitz`` is required).
    domain : box, e.g. ``"0:1,0:1"`` or ``[(0, 1), (0, 1)]`` (rational ends, d = 1..4).
    p, eps : exact (``"3/2"``, ``Fraction(1, 20)``); p in [1, inf), eps > 0.
    lipschitz : declared Euclidean Lipschitz constant of f (rational). Derived by interval
        arithmetic for expressions when neither ``lipschitz`` nor ``sobolev`` is given.
    sobolev : declared bound K >= |f|_{W^{1,p}(box)} (Sobolev route: cell averages + Poincare);
        expressions only, scalar f. ``f_range`` = (lo, hi) bounds of f (derived when omitted).
    m : number of outputs (checked against f).

    Returns
    -------
    Approximation : network, certified bound, n, eta, depth formula, targets, ...

    Examples
    --------
    >>> res = approximate("abs(x1 - 1/2)", "0:1", 2, "1/5")
    >>> res.width, res.bound <= Fraction(1, 5), res.depth <= res.depth_formula
    (2, True, True)
    """
    t0 = time.perf_counter()
    dom = parse_domain(domain)
    d = len(dom)
    pp = parse_p(p)
    ee = _parse_eps(eps)
    func = None
    exprs = None
    if callable(f) and not isinstance(f, (str, tuple, list)) and not hasattr(f, "free_symbols"):
        func = f
        if lipschitz is None:
            raise InvalidArgument("f is a Python callable: declare its Lipschitz constant with lipschitz= (--lipschitz)")
        if sobolev is not None:
            raise InvalidArgument("the Sobolev route needs cell averages of an expression; a callable needs lipschitz=")
        mm = m or 1
    else:
        exprs = _as_exprs(f, d)
        mm = len(exprs)
    if m is not None and m != mm:
        raise InvalidArgument(f"m={m} but f has {mm} output(s)")
    if not isinstance(mm, int) or mm < 1:
        raise InvalidArgument(f"m must be a positive integer, got {mm!r}")
    if lipschitz is not None and sobolev is not None:
        raise InvalidArgument("give lipschitz= or sobolev=, not both")
    reg: dict[str, Any] = {}
    notes: dict[str, str] = {}
    if sobolev is not None:
        if mm != 1:
            raise InvalidArgument("the Sobolev route is implemented for scalar f (m = 1); use lipschitz= for R^m targets")
        route = "sobolev"
        reg["sobolev"] = _nonneg(sobolev, "sobolev")
        if f_range is None:
            lo, hi = range_bound(exprs[0], dom)  # type: ignore[index]
            notes["f_range"] = "mpmath interval arithmetic"
        else:
            lo, hi = (to_fraction(f_range[0], "f_range lo"), to_fraction(f_range[1], "f_range hi"))
            notes["f_range"] = "declared"
        if lo > hi:
            raise InvalidArgument(f"f_range: lo={fmt(lo)} > hi={fmt(hi)}")
        reg["f_lo"], reg["f_hi"] = [lo], [hi]
    else:
        route = "lipschitz"
        if lipschitz is None:
            reg["lipschitz"] = lipschitz_bound(exprs, dom)  # type: ignore[arg-type]
            notes["lipschitz"] = "mpmath interval arithmetic on |grad f|"
        else:
            reg["lipschitz"] = _nonneg(lipschitz, "lipschitz")
            notes["lipschitz"] = "declared"
    vol, diag2, S = _geometry(dom)
    # Smallest n whose good-set part is <= 0.9 eps (float search, then exact check below).
    n = 1
    budget = ee * Fraction(9, 10)
    if route == "lipschitz":
        base = _good_a(route, reg, dom, 1, pp)
    else:
        base = _c_omega(dom) * reg["sobolev"]
    n = max(1, math.ceil(float(base / budget) * (1 - 1e-12)))
    # theorem's n (design note): sup-norm good bound <= eps/2
    if route == "lipschitz":
        a, b = pp.numerator, pp.denominator
        qv = _pow_up(vol, b, a)
        n_formula = max(1, math.ceil(reg["lipschitz"] * S * qv / ee))
    else:
        n_formula = max(1, math.ceil(2 * _c_omega(dom) * reg["sobolev"] / ee))
    while True:
        if n ** d * mm > max_cells:
            raise InvalidArgument(
                f"eps={fmt(ee)} needs n={n} cells per axis ({n ** d} cells); more than max_cells={max_cells}"
            )
        if progress:
            progress(f"targets (n={n})", 0.1)
        if route == "lipschitz":
            targets, delta = _targets_centre(exprs, func, dom, n, mm)
        else:
            targets, delta = _targets_average(exprs, dom, n)  # type: ignore[arg-type]
        A = _good_a(route, reg, dom, n, pp)
        mb, _per = _mb(targets, route, reg, S, n, delta)
        # choose eta: largest dyadic <= 1/(2n) with the total bound <= eps
        if n == 1:
            eta = Fraction(0)
            bad = Fraction(0)
        else:
            eta = _dyadic_floor(Fraction(1, 2 * n))
        while True:
            bad = vol * (1 - (1 - (n - 1) * eta) ** d) if n > 1 else Fraction(0)
            bound = _total_bound(A, delta, mm, vol, pp, mb, bad)
            if bound <= ee or n == 1 or eta < Fraction(1, 1 << 400):
                break
            eta /= 2
        if bound <= ee:
            break
        n += 1
    if progress:
        progress("network", 0.5)
    net, costs = _build(dom, n, eta, targets)
    bound = _nice_up(bound, 40)
    if bound > ee:  # rounding pushed it over: the exact value was <= eps, keep it exact
        bound = _total_bound(A, delta, mm, vol, pp, mb, bad)
    depth_formula = d * (n_formula - 1) + mm * (n_formula ** d + 1)
    return Approximation(
        network=net,
        bound=bound,
        n=n,
        eta=eta,
        p=pp,
        eps=ee,
        domain=dom,
        m=mm,
        route=route,
        regularity=reg,
        targets=tuple(tuple(r) for r in targets),
        target_error=delta,
        exprs=None if exprs is None else tuple(_text(e) for e in exprs),
        depth_formula=depth_formula,
        n_formula=n_formula,
        peel_costs=tuple(costs),
        seconds=time.perf_counter() - t0,
        record={"regularity_source": notes, "A": A, "Mb": mb},
    )


def _text(e: Any) -> str:
    from nncert.verify.expr import to_text

    return to_text(e)


def _nonneg(v: Any, name: str) -> Fraction:
    if isinstance(v, float):
        if not math.isfinite(v):
            raise InvalidArgument(f"{name} = {v!r} is not finite")
        v = repr(v)
    if isinstance(v, str):
        q = parse_decimal(v, name)
    else:
        q = to_fraction(v, name)
    if q < 0:
        raise InvalidArgument(f"{name} = {fmt(q)} must be >= 0")
    return q
