"""Exact local robustness and output-bound queries on a box (``docs/interop_and_robustness.md``).

A :class:`Query` is a box ``lo <= x <= hi`` (rational) and a conjunction of linear output properties
``c . f(x) + d > 0`` (strict) or ``>= 0``; it HOLDS iff every point of the box satisfies every conjunct.
Class robustness (the class is constant on the L-infinity ball around a point) and output bounds
(``y_i <= b``) are both queries (:func:`class_query`, :func:`bound_query`).

Decision procedure (:func:`verify`), per conjunct:

1. exact candidate points (centre, corners for d <= 8): a violation found there is a counterexample;
2. exact interval + symbolic-interval bound propagation (Fractions): if the bound on ``c . f + d``
   already proves the conjunct, it HOLDS with nothing admitted (the bound is re-derivable);
3. otherwise z3 over linear real arithmetic with one case split per *unstable* ReLU (neurons that the
   bounds prove stable are fixed to ``0`` or to their input): ``sat`` gives a point, which is evaluated
   exactly (:func:`check_counterexample`) before it is reported; ``unsat`` is re-checked by cvc5 on the
   plain encoding (no bounds used at all, so a bug in the bound code cannot hide a counterexample from
   it). HOLDS lists both solver answers under ``admitted``.

Trusted part: :func:`check_counterexample` (core arithmetic only). Solvers are imported lazily.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

from nncert.core import Network, Status, Verdict, fmt, to_fraction
from nncert.errors import InvalidArgument
from nncert.verify.decision import default_mode, predict

__all__ = [
    "Box",
    "Bounds",
    "Conjunct",
    "Query",
    "RobustnessResult",
    "class_query",
    "bound_query",
    "interval_bounds",
    "verify",
    "check_counterexample",
    "query_smtlib",
    "to_vnnlib",
    "Z3_UNSAT",
    "CVC5_UNSAT",
]

Z3_UNSAT = "z3: 'some point of the box violates the property' is unsat (QF_LRA, ReLU case splits)"
CVC5_UNSAT = "cvc5: same question unsat on the plain ReLU encoding (independent of the bound propagation)"


@dataclass(frozen=True)
class Box:
    """An axis-aligned box ``lo <= x <= hi`` with exact corners.

    Examples
    --------
    >>> Box.around([Fraction(1, 2), 0], Fraction(1, 100)).hi
    (Fraction(51, 100), Fraction(1, 100))
    """

    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        if len(self.lo) != len(self.hi) or not self.lo:
            raise InvalidArgument(f"box corners have {len(self.lo)} and {len(self.hi)} coordinates")
        for j, (a, b) in enumerate(zip(self.lo, self.hi)):
            if type(a) is not Fraction or type(b) is not Fraction:
                raise InvalidArgument(f"box coordinate {j} is not exact (use Box.of / Box.around)")
            if a > b:
                raise InvalidArgument(f"box coordinate {j}: lower {fmt(a)} > upper {fmt(b)}")

    @classmethod
    def of(cls, lo: Sequence[object], hi: Sequence[object]) -> "Box":
        """Box from exact values (ints, Fractions, decimal text; floats rejected)."""
        return cls(tuple(to_fraction(v, f"lo[{j}]") for j, v in enumerate(lo)),
                   tuple(to_fraction(v, f"hi[{j}]") for j, v in enumerate(hi)))

    @classmethod
    def around(cls, point: Sequence[object], radius: object) -> "Box":
        """The L-infinity ball of ``radius`` (> 0) around ``point``."""
        r = to_fraction(radius, "radius")
        if r <= 0:
            raise InvalidArgument(f"radius must be > 0, got {fmt(r)}")
        x = [to_fraction(v, f"point[{j}]") for j, v in enumerate(point)]
        if not x:
            raise InvalidArgument("point has no coordinates")
        return cls(tuple(v - r for v in x), tuple(v + r for v in x))

    @property
    def dim(self) -> int:
        """Number of coordinates."""
        return len(self.lo)

    def contains(self, x: Sequence[Fraction]) -> bool:
        """Exact membership."""
        return len(x) == self.dim and all(a <= v <= b for a, v, b in zip(self.lo, x, self.hi))

    def center(self) -> tuple[Fraction, ...]:
        """Exact centre."""
        return tuple((a + b) / 2 for a, b in zip(self.lo, self.hi))


@dataclass(frozen=True)
class Conjunct:
    """Property ``sum_j coeffs[j] * y_j + const > 0`` (``strict``) or ``>= 0`` for every x in the box."""

    coeffs: tuple[Fraction, ...]
    const: Fraction
    strict: bool
    name: str

    def value(self, y: Sequence[Fraction]) -> Fraction:
        """``c . y + d`` exactly."""
        return sum((c * v for c, v in zip(self.coeffs, y)), self.const)

    def satisfied(self, y: Sequence[Fraction]) -> bool:
        """Whether outputs ``y`` satisfy it."""
        v = self.value(y)
        return v > 0 if self.strict else v >= 0


@dataclass(frozen=True)
class Query:
    """A box and the output properties that must hold on all of it."""

    box: Box
    conjuncts: tuple[Conjunct, ...]
    description: str


def class_query(net: Network, point: Sequence[object], radius: object, *, mode: str | None = None,
                threshold: object = None, label: int | None = None) -> Query:
    """"The class of ``net`` is ``label`` everywhere on the L-infinity ball around ``point``".

    ``label`` defaults to the class at ``point`` (:func:`nncert.verify.decision.predict`); a point on a
    decision boundary has no class, so its query is refuted at the point itself (the label is then the
    first tying class). ``mode``/``threshold`` as in :mod:`nncert.verify.decision`.

    Examples
    --------
    >>> net = Network.from_rows([[[1, 0], [0, 1]]], [[0, 0]])   # y = x, argmax of two coordinates
    >>> [c.name for c in class_query(net, [1, 0], "1/4").conjuncts]
    ['y0 - y1 > 0']
    """
    box = Box.around(point, radius)
    if box.dim != net.input_dim:
        raise InvalidArgument(f"point has {box.dim} coordinates but the network takes {net.input_dim}")
    t = to_fraction(threshold, "threshold") if threshold is not None else None
    mode = mode or default_mode(net.output_dim, t)
    y = net(box.center())
    lab = predict(y, mode, t) if label is None else label
    m = net.output_dim
    zero, one = Fraction(0), Fraction(1)
    conj: list[Conjunct] = []
    where = f"class at ({', '.join(fmt(v) for v in box.center())}) radius {fmt(box.hi[0] - box.center()[0])}"
    if mode == "argmax":
        if lab is None:
            top = max(y)
            lab = next(j for j, v in enumerate(y) if v == top)
        if not 0 <= lab < m:
            raise InvalidArgument(f"label {lab} is not an output index 0..{m - 1}")
        for j in range(m):
            if j != lab:
                c = tuple(one if i == lab else (-one if i == j else zero) for i in range(m))
                conj.append(Conjunct(c, zero, True, f"y{lab} - y{j} > 0"))
    elif mode == "threshold":
        if t is None:
            raise InvalidArgument("mode 'threshold' needs a threshold")
        lab = 1 if lab is None else lab
        if lab == 1:
            conj.append(Conjunct((one,), -t, True, f"y0 > {fmt(t)}"))
        elif lab == 0:
            conj.append(Conjunct((-one,), t, True, f"y0 < {fmt(t)}"))
        else:
            raise InvalidArgument(f"threshold rule has classes 0 and 1, got label {lab}")
    elif mode == "nearest":
        if lab is None:
            lab = int((2 * y[0] + 1) // 2)
        half = Fraction(1, 2)
        conj.append(Conjunct((one,), -(lab - half), True, f"y0 > {fmt(lab - half)}"))
        conj.append(Conjunct((-one,), lab + half, True, f"y0 < {fmt(lab + half)}"))
    else:
        raise InvalidArgument(f"mode must be argmax, threshold or nearest, got {mode!r}")
    return Query(box, tuple(conj), f"{where}: class {lab} ({mode})")


_OPS = {"<=": (-1, False), "<": (-1, True), ">=": (1, False), ">": (1, True)}


def bound_query(box: Box, output: int, op: str, bound: object, output_dim: int) -> Query:
    """"``y_output op bound`` on all of ``box``" with ``op`` one of ``<=, <, >=, >``.

    Examples
    --------
    >>> q = bound_query(Box.of([0, 0], [1, 1]), 0, "<=", 1, 1)
    >>> q.conjuncts[0].name
    'y0 <= 1'
    """
    if op not in _OPS:
        raise InvalidArgument(f"comparison must be one of {list(_OPS)}, got {op!r}")
    if not 0 <= output < output_dim:
        raise InvalidArgument(f"output index {output} is not in 0..{output_dim - 1}")
    b = to_fraction(bound, "bound")
    sign, strict = _OPS[op]
    coeffs = tuple(Fraction(sign) if i == output else Fraction(0) for i in range(output_dim))
    name = f"y{output} {op} {fmt(b)}"
    return Query(box, (Conjunct(coeffs, -sign * b, strict, name),), f"{name} on the box")


# ----------------------------------------------------------------------------------------------
# exact bound propagation
Lin = tuple[tuple[Fraction, ...], Fraction]  # a . x + c


def _lin_min(f: Lin, box: Box) -> Fraction:
    a, c = f
    return sum((ai * (lo if ai > 0 else hi) for ai, lo, hi in zip(a, box.lo, box.hi) if ai), c)


def _lin_max(f: Lin, box: Box) -> Fraction:
    a, c = f
    return sum((ai * (hi if ai > 0 else lo) for ai, lo, hi in zip(a, box.lo, box.hi) if ai), c)


@dataclass(frozen=True)
class Bounds:
    """Exact bounds: per layer, each pre-activation's [lower, upper]; symbolic bounds of the outputs."""

    pre: tuple[tuple[tuple[Fraction, Fraction], ...], ...]
    out_lower: tuple[Lin, ...]
    out_upper: tuple[Lin, ...]

    def stable_counts(self) -> tuple[int, int]:
        """(stable hidden neurons, all hidden neurons)."""
        hidden = self.pre[:-1]
        total = sum(len(layer) for layer in hidden)
        stable = sum(1 for layer in hidden for lo, hi in layer if lo >= 0 or hi <= 0)
        return stable, total


def interval_bounds(net: Network, box: Box) -> Bounds:
    """Exact interval and symbolic-interval (linear in x) bounds of every pre-activation on ``box``.

    Each neuron's bound is the tighter of plain interval arithmetic and the concretized symbolic bound.

    Examples
    --------
    >>> net = Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> interval_bounds(net, Box.of([0, 0], [1, 1])).pre[0]
    ((Fraction(-1, 1), Fraction(1, 1)), (Fraction(-1, 1), Fraction(1, 1)))
    """
    if box.dim != net.input_dim:
        raise InvalidArgument(f"box has {box.dim} coordinates but the network takes {net.input_dim}")
    d = net.input_dim
    zero = Fraction(0)
    zeros = tuple(zero for _ in range(d))
    lower: list[Lin] = [(tuple(Fraction(int(i == j)) for i in range(d)), zero) for j in range(d)]
    upper: list[Lin] = list(lower)
    ilo, ihi = list(box.lo), list(box.hi)
    pre_all = []
    last = net.depth
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        nl, nu, layer = [], [], []
        for row, bi in zip(w, b):
            fl_, fu_, lo_v, hi_v = _combine(row, bi, lower, upper, ilo, ihi, box)
            layer.append((lo_v, hi_v))
            nl.append(fl_)
            nu.append(fu_)
        pre_all.append(tuple(layer))
        if k == last:
            return Bounds(tuple(pre_all), tuple(nl), tuple(nu))
        lower, upper = [], []
        ilo, ihi = [], []
        for (lo_v, hi_v), fl_, fu_ in zip(layer, nl, nu):
            if lo_v >= 0:
                lower.append(fl_)
                upper.append(fu_)
            elif hi_v <= 0:
                lower.append((zeros, zero))
                upper.append((zeros, zero))
            else:
                s = hi_v / (hi_v - lo_v)  # chord slope of ReLU on [lo, hi]
                upper.append((tuple(s * a for a in fu_[0]), s * (fu_[1] - lo_v)))
                lower.append((tuple(s * a for a in fl_[0]), s * fl_[1]))
            ilo.append(max(lo_v, zero))
            ihi.append(max(hi_v, zero))
    raise AssertionError("unreachable")  # pragma: no cover


def _combine(coeffs: Sequence[Fraction], const: Fraction, lower: Sequence[Lin], upper: Sequence[Lin],
             ilo: Sequence[Fraction], ihi: Sequence[Fraction], box: Box) -> tuple[Lin, Lin, Fraction, Fraction]:
    """Bounds of ``sum_i c_i y_i + const`` from per-``y_i`` linear bounds and intervals: the linear lower and
    upper functions (lower/upper swapped where c_i < 0) and the tighter of interval and concretized bounds."""
    d = box.dim
    zero = Fraction(0)
    la, lc = [zero] * d, const
    ua, uc = [zero] * d, const
    lo_i = hi_i = const
    for c, fl, fu, a, z in zip(coeffs, lower, upper, ilo, ihi):
        if not c:
            continue
        src_l, src_u = (fl, fu) if c > 0 else (fu, fl)
        for j in range(d):
            la[j] += c * src_l[0][j]
            ua[j] += c * src_u[0][j]
        lc += c * src_l[1]
        uc += c * src_u[1]
        lo_i += c * (a if c > 0 else z)
        hi_i += c * (z if c > 0 else a)
    fl_, fu_ = (tuple(la), lc), (tuple(ua), uc)
    return fl_, fu_, max(lo_i, _lin_min(fl_, box)), min(hi_i, _lin_max(fu_, box))


def _conj_bounds(bounds: Bounds, conj: Conjunct, box: Box) -> tuple[Fraction, Fraction]:
    plo = [lo for lo, _ in bounds.pre[-1]]
    phi = [hi for _, hi in bounds.pre[-1]]
    _, _, lo, hi = _combine(conj.coeffs, conj.const, bounds.out_lower, bounds.out_upper, plo, phi, box)
    return lo, hi


# ----------------------------------------------------------------------------------------------
# SMT encoding
def _real(v: Fraction) -> str:
    n, d = v.numerator, v.denominator
    text = f"(/ {abs(n)}.0 {d}.0)" if d != 1 else f"{abs(n)}.0"
    return f"(- {text})" if n < 0 else text


def query_smtlib(net: Network, box: Box, conj: Conjunct, bounds: Bounds | None = None) -> str:
    """SMT-LIB2 (QF_LRA) text asking for a point of ``box`` that violates ``conj``.

    Inputs are ``x0..x{d-1}``. Each hidden unit is a variable ``h{k}_{r}`` with ``h >= 0, h >= pre`` and the
    case split ``h = 0 or h = pre``; with ``bounds``, units proven stable are fixed (``h = pre`` or ``h = 0``,
    no split) and unstable ones also get the chord ``h <= u (pre - l) / (u - l)``.
    """
    lines = ["(set-logic QF_LRA)"]
    for j, (lo, hi) in enumerate(zip(box.lo, box.hi)):
        lines.append(f"(declare-const x{j} Real)")
        lines.append(f"(assert (and (>= x{j} {_real(lo)}) (<= x{j} {_real(hi)})))")
    prev = [f"x{j}" for j in range(net.input_dim)]
    last = net.depth
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        cur = []
        for r, (row, bi) in enumerate(zip(w, b)):
            terms = " ".join(f"(* {_real(wi)} {hj})" for wi, hj in zip(row, prev) if wi and hj != "0.0")
            pre = f"(+ {terms} {_real(bi)})" if terms else _real(bi)
            p = f"p{k}_{r}"
            lines.append(f"(define-fun {p} () Real {pre})")
            if k == last:
                cur.append(p)
                continue
            h = f"h{k}_{r}"
            if bounds is not None:
                lo, hi = bounds.pre[k][r]
                if lo >= 0:
                    cur.append(p)
                    continue
                if hi <= 0:
                    cur.append("0.0")
                    continue
            lines.append(f"(declare-const {h} Real)")
            lines.append(f"(assert (and (>= {h} 0.0) (>= {h} {p}) (or (= {h} 0.0) (= {h} {p}))))")
            if bounds is not None:
                lo, hi = bounds.pre[k][r]
                s = hi / (hi - lo)
                lines.append(f"(assert (<= {h} (* {_real(s)} (- {p} {_real(lo)}))))")
            cur.append(h)
        prev = cur
    terms = " ".join(f"(* {_real(c)} {y})" for c, y in zip(conj.coeffs, prev) if c and y != "0.0")
    g = f"(+ {terms} {_real(conj.const)})" if terms else _real(conj.const)
    lines.append(f"(assert ({'<=' if conj.strict else '<'} {g} 0.0))")
    return "\n".join(lines) + "\n"


def _z3_solve(text: str, lo: Sequence[Fraction], timeout_s: float) -> tuple[str, tuple[Fraction, ...] | None]:
    import z3

    s = z3.Solver()
    s.set("timeout", int(timeout_s * 1000))
    s.from_string(text)
    r = s.check()
    if r == z3.sat:
        m = s.model()
        x = []
        for j in range(len(lo)):
            # model completion: an input the model leaves free gets a concrete (rational) value
            v = m.eval(z3.Real(f"x{j}"), model_completion=True)
            if not z3.is_rational_value(v):
                return "unknown", None
            f = v.as_fraction()
            x.append(Fraction(f.numerator, f.denominator))
        return "sat", tuple(x)
    return ("unsat" if r == z3.unsat else "unknown"), None


def _cvc5_solve(text: str, dim: int, timeout_s: float) -> tuple[str, tuple[Fraction, ...] | None]:
    import cvc5

    tm = cvc5.TermManager()
    s = cvc5.Solver(tm)
    s.setOption("produce-models", "true")
    s.setOption("tlimit-per", str(int(timeout_s * 1000)))
    sm = cvc5.SymbolManager(tm)
    p = cvc5.InputParser(s, sm)
    p.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "nncert_query")
    while True:
        cmd = p.nextCommand()
        if cmd.isNull():
            break
        cmd.invoke(s, sm)
    r = s.checkSat()
    if r.isSat():
        terms = {str(t): t for t in sm.getDeclaredTerms()}
        x = []
        for j in range(dim):
            v = s.getValue(terms[f"x{j}"]).getRealValue()
            x.append(Fraction(v))
        return "sat", tuple(x)
    return ("unsat" if r.isUnsat() else "unknown"), None


# ----------------------------------------------------------------------------------------------
def check_counterexample(net: Network, query: Query, x: Sequence[object]) -> Verdict:
    """Trusted: is ``x`` in the box and does the exact ``net(x)`` violate some conjunct?

    REFUTED (the query is false, ``x`` proves it) or UNKNOWN (``x`` proves nothing).

    Examples
    --------
    >>> net = Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> q = bound_query(Box.of([0, 0], [1, 1]), 0, "<=", "0.99999999999", 1)
    >>> check_counterexample(net, q, [0, 1]).status.value
    'REFUTED'
    """
    xs = tuple(to_fraction(v, f"x[{j}]") for j, v in enumerate(x))
    if not query.box.contains(xs):
        return Verdict(Status.UNKNOWN, "counterexample", reason="point is not in the box")
    y = net(xs)
    for c in query.conjuncts:
        if not c.satisfied(y):
            cex = {f"x{j}": fmt(v) for j, v in enumerate(xs)}
            cex.update({f"y{j}": fmt(v) for j, v in enumerate(y)})
            cex["violates"] = c.name
            return Verdict(Status.REFUTED, "counterexample", evidence=f"exact f(x) violates {c.name}",
                           reason=f"{c.name} fails: value {fmt(c.value(y))}", counterexample=cex)
    return Verdict(Status.UNKNOWN, "counterexample", reason="the exact outputs at the point satisfy every conjunct")


@dataclass(frozen=True)
class RobustnessResult:
    """Verdict of :func:`verify`, with how each conjunct was decided and timings."""

    verdict: Verdict
    methods: tuple[str, ...]
    counterexample: tuple[Fraction, ...] | None
    stable: tuple[int, int]
    seconds: float
    details: dict[str, Any] = field(default_factory=dict)


def _candidates(box: Box) -> list[tuple[Fraction, ...]]:
    pts = [box.center()]
    if box.dim <= 8:
        pts += [tuple(c) for c in itertools.product(*zip(box.lo, box.hi))]
    return pts


def verify(net: Network, query: Query, *, timeout: float = 60.0, cross_check: bool = True,
           try_points: bool = True, bound_proofs: bool = True) -> RobustnessResult:
    """Decide ``query`` exactly (see the module docstring). Three-valued: UNKNOWN on solver timeout/disagreement.

    Examples
    --------
    >>> net = Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])   # |x0 - x1|
    >>> box = Box.of([0, 0], [1, 1])
    >>> verify(net, bound_query(box, 0, "<=", 1, 1)).verdict.status.value
    'HOLDS'
    >>> r = verify(net, bound_query(box, 0, "<=", "0.99999999999", 1))
    >>> r.verdict.status.value, r.counterexample
    ('REFUTED', (Fraction(0, 1), Fraction(1, 1)))
    """
    t0 = time.perf_counter()
    box = query.box
    if box.dim != net.input_dim:
        raise InvalidArgument(f"box has {box.dim} coordinates but the network takes {net.input_dim}")
    for c in query.conjuncts:
        if len(c.coeffs) != net.output_dim:
            raise InvalidArgument(f"property {c.name!r} has {len(c.coeffs)} coefficients but the network has "
                                  f"{net.output_dim} outputs")
    claim = query.description
    # 1. exact candidate points
    for x in _candidates(box) if try_points else ():
        v = check_counterexample(net, query, x)
        if v.status is Status.REFUTED:
            return RobustnessResult(Verdict(Status.REFUTED, claim, v.evidence, v.reason, v.counterexample),
                                    ("exact candidate point",), x, (0, 0), time.perf_counter() - t0)
    # 2. exact bounds
    bounds = interval_bounds(net, box)
    stable = bounds.stable_counts()
    methods: list[str] = []
    admitted: list[str] = []
    details: dict[str, Any] = {"stable_neurons": f"{stable[0]}/{stable[1]}"}
    for c in query.conjuncts:
        lo, hi = _conj_bounds(bounds, c, box)
        details[f"bound[{c.name}]"] = f"[{fmt(lo)}, {fmt(hi)}]"
        if bound_proofs and ((lo > 0) if c.strict else (lo >= 0)):
            methods.append(f"{c.name}: proved by exact bound propagation (c.y + d >= {fmt(lo)} on the box)")
            continue
        # 3. z3 with stable neurons fixed
        text = query_smtlib(net, box, c, bounds)
        ans, x = _z3_solve(text, box.lo, timeout)
        if ans == "sat":
            assert x is not None
            v = check_counterexample(net, query, x)
            if v.status is Status.REFUTED:
                return RobustnessResult(
                    Verdict(Status.REFUTED, claim, v.evidence, v.reason, v.counterexample),
                    tuple(methods + [f"{c.name}: z3 sat, point checked exactly"]), x, stable,
                    time.perf_counter() - t0, details)
            return RobustnessResult(
                Verdict(Status.UNKNOWN, claim, reason=f"z3 answered sat for {c.name} but its point does not violate "
                        "the property exactly (solver disagreement)"),
                tuple(methods), None, stable, time.perf_counter() - t0, details)
        if ans != "unsat":
            return RobustnessResult(Verdict(Status.UNKNOWN, claim, reason=f"z3 {ans} on {c.name} (timeout {timeout} s)"),
                                    tuple(methods), None, stable, time.perf_counter() - t0, details)
        how = f"{c.name}: z3 unsat"
        if cross_check:
            ans2, x2 = _cvc5_solve(query_smtlib(net, box, c, None), box.dim, timeout)
            if ans2 == "unknown":  # plain encoding too hard: fall back to the bound-tightened one
                ans2, x2 = _cvc5_solve(text, box.dim, timeout)
                how += ", cvc5 unsat (bound-tightened encoding)" if ans2 == "unsat" else ""
            elif ans2 == "unsat":
                how += ", cvc5 unsat (plain encoding)"
            if ans2 == "sat":
                assert x2 is not None
                v = check_counterexample(net, query, x2)
                status = v.status
                return RobustnessResult(
                    Verdict(status, claim, v.evidence,
                            ("z3 said unsat but cvc5 found a point that violates the property exactly: " + v.reason)
                            if status is Status.REFUTED else "z3 unsat but cvc5 sat with a point that checks out fine",
                            v.counterexample if status is Status.REFUTED else None),
                    tuple(methods), x2 if status is Status.REFUTED else None, stable, time.perf_counter() - t0,
                    details)
            if ans2 != "unsat":
                return RobustnessResult(
                    Verdict(Status.UNKNOWN, claim, reason=f"z3 unsat but cvc5 {ans2} on {c.name}"),
                    tuple(methods), None, stable, time.perf_counter() - t0, details)
            admitted.append(CVC5_UNSAT)
        admitted.append(Z3_UNSAT)
        methods.append(how)
    adm = tuple(dict.fromkeys(admitted))
    n = len(query.conjuncts)
    evidence = f"{n} propert{'y holds' if n == 1 else 'ies hold'} on the box; " \
               f"{stable[0]}/{stable[1]} hidden neurons stable"
    return RobustnessResult(Verdict(Status.HOLDS, claim, evidence, admitted=adm), tuple(methods), None, stable,
                            time.perf_counter() - t0, details)


# ----------------------------------------------------------------------------------------------
def _decimal(v: Fraction, direction: str) -> tuple[str, bool]:
    """Decimal text of ``v``: exact when the denominator is 2^a 5^b, else rounded ``down``/``up`` (20 digits)."""
    d = v.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:
        q = v.denominator
        digits = 0
        while (10**digits) % q:
            digits += 1
        n = abs(v.numerator) * (10**digits // q)
        s = str(n).rjust(digits + 1, "0")
        text = (s[:-digits] + "." + s[-digits:]) if digits else s + ".0"
        return ("-" if v < 0 else "") + text, True
    scale = 10**20
    n = v * scale
    k = n.numerator // n.denominator if direction == "down" else -((-n.numerator) // n.denominator)
    text, _ = _decimal(Fraction(k, scale), "down")
    return text, False


def to_vnnlib(query: Query, output_dim: int) -> str:
    """VNN-LIB text of ``query``: the input box and the *negated* property (a counterexample region).

    Numbers are exact decimals when the value has a finite decimal expansion; otherwise the box is rounded
    outward and the output constants so that the written unsafe region contains the exact one (a comment
    says so). Strict and non-strict comparisons are kept as in the exact query.

    Examples
    --------
    >>> print(to_vnnlib(bound_query(Box.of([0, 0], [1, 1]), 0, "<=", 1, 1), 1).splitlines()[-1])
    (assert (> Y_0 1.0))
    """
    lines = [f"; nncert query: {query.description}", "; property holds iff this file is unsatisfiable"]
    inexact = False
    for j in range(query.box.dim):
        lines.append(f"(declare-const X_{j} Real)")
    for j in range(output_dim):
        lines.append(f"(declare-const Y_{j} Real)")
    for j, (lo, hi) in enumerate(zip(query.box.lo, query.box.hi)):
        a, ea = _decimal(lo, "down")
        b, eb = _decimal(hi, "up")
        inexact |= not (ea and eb)
        lines.append(f"(assert (>= X_{j} {a}))")
        lines.append(f"(assert (<= X_{j} {b}))")
    clauses = []
    for c in query.conjuncts:
        # violation: c.y + d <= 0 (strict property) or < 0; move d to the right: c.y <= -d
        nz = [(i, v) for i, v in enumerate(c.coeffs) if v]
        op = "<=" if c.strict else "<"
        rhs = -c.const
        if len(nz) == 1 and abs(nz[0][1]) == 1:
            i, s = nz[0]
            if s < 0:  # -y_i <= -d  <=>  y_i >= d
                op, rhs = {"<=": ">=", "<": ">"}[op], c.const
            num, ex = _decimal(rhs, "up" if op in ("<=", "<") else "down")
            clauses.append(f"({op} Y_{i} {num})")
        elif len(nz) == 2 and not c.const and sorted(v for _, v in nz) == [-1, 1]:
            pos = next(i for i, v in nz if v > 0)
            neg = next(i for i, v in nz if v < 0)
            clauses.append(f"({op} Y_{pos} Y_{neg})")
            ex = True
        else:
            terms = " ".join(f"(* {_decimal(v, 'down')[0]} Y_{i})" for i, v in nz)
            num, ex = _decimal(rhs, "up")
            ex = ex and all(_decimal(v, "down")[1] for _, v in nz)
            clauses.append(f"({op} (+ {terms}) {num})")
        inexact |= not ex
    if inexact:
        lines.insert(2, "; some numbers have no finite decimal expansion: rounded outward (20 digits)")
    if len(clauses) == 1:
        lines.append(f"(assert {clauses[0]})")
    else:
        lines.append("(assert (or " + " ".join(f"(and {c})" for c in clauses) + "))")
    return "\n".join(lines) + "\n"
