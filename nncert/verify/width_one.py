"""Decide exactly whether some width-1 ReLU network (any depth) fits a data set (paper 1, sharpness).

A width-1 network computes ``clamp(w.x + b, lo, hi)`` (``docs/width_one.md`` proves it), so the
question is a finite set of LPs (:mod:`nncert.verify.farkas` builds them from the data):

* ``semantics="exact"``: the output equals the class index at every point. One LP.
* ``semantics="threshold"``: the class is read off by thresholds on the output, the classes in some
  order. An LP per class order; searched as a tree over order prefixes (the LP of a prefix is a
  relaxation of every order extending it, so an infeasible prefix closes its whole subtree) after
  trying every pair of classes (a non-separable pair closes everything at once).

Small LPs are solved exactly by z3 (linear real arithmetic; rationals throughout); large ones are guessed
by scipy's HiGHS in floats and repaired exactly (exact Gaussian elimination on the tight rows, or on the
support of a float Farkas vector), with z3 as the fallback when the repair fails. Feasible: a
width-1 witness :class:`~nncert.core.Network` built from z3's exact model. Infeasible: z3 also solves
the Farkas alternative system exactly, so the answer is a tree of Farkas vectors that
:func:`nncert.verify.farkas.check_width_one` verifies with Fraction arithmetic only. Every small LP that z3
calls unsat is also put to cvc5 (``cross_check=True``) and the answers are recorded in
``WidthOneResult.solver_log``; a disagreement raises. No step falls back to a bare solver ``unsat``,
so nothing is admitted.

This module is an *untrusted* decision procedure (it calls solvers); the trusted part is
:mod:`nncert.verify.farkas`. It imports nothing from :mod:`nncert.constructions`.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

from nncert.core import Network, Verdict, fmt
from nncert.data import Dataset, from_arrays
from nncert.errors import InvalidArgument, NncertError
from nncert.verify.farkas import Row, exact_rows, pair_rows, prefix_rows, sparse_json

__all__ = ["width_one", "WidthOneResult", "SEMANTICS", "clamp_network", "solve_lp"]

SEMANTICS = ("exact", "threshold")


class SolverDisagreement(NncertError):
    """z3 and cvc5 answered an LP differently (should never happen; reported, never hidden)."""


@dataclass
class WidthOneResult:
    """Outcome of :func:`width_one` (``feasible`` is None only if the node budget ran out)."""

    semantics: str
    feasible: bool | None
    network: Network | None = None
    order: tuple[int, ...] | None = None
    thresholds: tuple[Fraction, ...] | None = None
    tree: dict[str, Any] | None = None
    solver_log: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    data: Dataset | None = field(default=None, repr=False)

    def witness_json(self) -> dict[str, Any]:
        """The part of a certificate :func:`nncert.verify.farkas.check_width_one` reads."""
        verdict = "undecided" if self.feasible is None else ("feasible" if self.feasible else "infeasible")
        return {
            "semantics": self.semantics,
            "verdict": verdict,
            "network": self.network.to_json() if self.network is not None else None,
            "order": [str(c) for c in self.order] if self.order is not None else None,
            "thresholds": [fmt(t) for t in self.thresholds] if self.thresholds is not None else None,
            "tree": self.tree,
        }

    def check(self, data: Dataset | None = None) -> Verdict:
        """Re-check with the trusted checker (no solver) on ``data`` (default: the data decided)."""
        from nncert.verify.farkas import check_width_one

        use = data if data is not None else self.data
        if use is None:
            raise InvalidArgument("no data to check against")
        return check_width_one(self.witness_json(), use)


def _z3val(z3: Any, v: Fraction) -> Any:
    return z3.RealVal(f"{v.numerator}/{v.denominator}")


def _solve_z3(rows: Sequence[Row], nvars: int) -> tuple[str, Any]:
    import z3

    s = z3.Solver()
    v = [z3.Real(f"v{j}") for j in range(nvars)]
    for coeffs, rhs, kind in rows:
        terms = [_z3val(z3, c) * v[j] for j, c in enumerate(coeffs) if c]
        lhs = z3.Sum(terms) if terms else z3.RealVal(0)
        s.add(lhs <= _z3val(z3, rhs) if kind == "le" else lhs == _z3val(z3, rhs))
    res = s.check()
    if res == z3.sat:
        model = s.model()
        vals = []
        for x in v:
            val = model.eval(x, model_completion=True)
            fr = val.as_fraction()
            vals.append(Fraction(fr.numerator, fr.denominator))
        return "sat", vals
    if res != z3.unsat:  # pragma: no cover - LRA is decidable; z3 answers
        raise SolverDisagreement(f"z3 answered {res} on an LP")
    # Farkas alternative: y >= 0 on inequalities, y^T A = 0, y^T b = -1 (exists by Farkas' lemma).
    f = z3.Solver()
    y = [z3.Real(f"y{r}") for r in range(len(rows))]
    cols: list[list[Any]] = [[] for _ in range(nvars)]
    rhs_terms = []
    for r, (coeffs, rhs, kind) in enumerate(rows):
        if kind == "le":
            f.add(y[r] >= 0)
        for j, c in enumerate(coeffs):
            if c:
                cols[j].append(_z3val(z3, c) * y[r])
        if rhs:
            rhs_terms.append(_z3val(z3, rhs) * y[r])
    for col in cols:
        if col:
            f.add(z3.Sum(col) == 0)
    f.add((z3.Sum(rhs_terms) if rhs_terms else z3.RealVal(0)) == -1)
    if f.check() != z3.sat:  # pragma: no cover - contradicts Farkas' lemma
        raise SolverDisagreement("z3: primal unsat but no Farkas vector found")
    model = f.model()
    mult: dict[int, Fraction] = {}
    for r, yr in enumerate(y):
        fr = model.eval(yr, model_completion=True).as_fraction()
        if fr != 0:
            mult[r] = Fraction(fr.numerator, fr.denominator)
    return "unsat", mult


def _cvc5_unsat(rows: Sequence[Row], nvars: int) -> bool:
    import cvc5.pythonic as c5

    s = c5.Solver()
    v = [c5.Real(f"v{j}") for j in range(nvars)]
    for coeffs, rhs, kind in rows:
        terms = [c5.RealVal(fmt(c)) * v[j] for j, c in enumerate(coeffs) if c]
        lhs = c5.Sum(terms) if len(terms) > 1 else (terms[0] if terms else c5.RealVal(0))
        s.add(lhs <= c5.RealVal(fmt(rhs)) if kind == "le" else lhs == c5.RealVal(fmt(rhs)))
    return s.check() == c5.unsat


def _gauss(eqs: list[list[Fraction]], rhs: list[Fraction], n: int, default: Sequence[Fraction]) -> list[Fraction] | None:
    """One exact solution of ``eqs . v = rhs`` (free variables take ``default``), or None if inconsistent."""
    m = [row[:] + [r] for row, r in zip(eqs, rhs)]
    pivots: list[int] = []
    r = 0
    for c in range(n):
        piv = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if piv is None:
            continue
        m[r], m[piv] = m[piv], m[r]
        inv = 1 / m[r][c]
        m[r] = [v * inv for v in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r])]
        pivots.append(c)
        r += 1
        if r == len(m):
            break
    if any(all(v == 0 for v in row[:n]) and row[n] != 0 for row in m[r:]):
        return None
    sol = [Fraction(v) for v in default]
    free = [c for c in range(n) if c not in pivots]
    for i, c in enumerate(pivots):
        sol[c] = m[i][n] - sum((m[i][f] * sol[f] for f in free), Fraction(0))
    return sol


def _rational(x: float) -> Fraction:
    return Fraction(x).limit_denominator(10**6)


def _solve_highs(rows: Sequence[Row], nvars: int) -> tuple[str, Any] | None:
    """Float LP (scipy HiGHS) to *guess*, then exact repair: an exact solution or an exact Farkas vector, or None.

    Feasible: solve the rows that are tight at the float vertex exactly (free variables from the float
    solution) and check every row exactly. Infeasible: solve the Farkas system in floats, then solve it
    exactly on the float solution's support and check the multipliers. Nothing is trusted: the caller
    falls back to z3 when the repair fails.
    """
    import numpy as np
    from scipy.optimize import linprog

    le = [i for i, r in enumerate(rows) if r[2] == "le"]
    eq = [i for i, r in enumerate(rows) if r[2] == "eq"]
    A = np.array([[float(c) for c in r[0]] for r in rows]).reshape(len(rows), nvars)
    b = np.array([float(r[1]) for r in rows])
    res = linprog(np.zeros(nvars), A_ub=A[le] if le else None, b_ub=b[le] if le else None,
                  A_eq=A[eq] if eq else None, b_eq=b[eq] if eq else None, bounds=[(None, None)] * nvars,
                  method="highs")
    if res.status == 0:
        v = res.x
        slack = b - A @ v
        tight = [i for i in range(len(rows)) if rows[i][2] == "eq" or abs(slack[i]) <= 1e-7 * (1 + abs(b[i]))]
        sol = _gauss([list(rows[i][0]) for i in tight], [rows[i][1] for i in tight], nvars,
                     [_rational(x) for x in v])
        if sol is not None and all(
            (sum((c * x for c, x in zip(co, sol)), Fraction(0)) <= rhs) if kind == "le"
            else (sum((c * x for c, x in zip(co, sol)), Fraction(0)) == rhs) for co, rhs, kind in rows
        ):
            return "sat", sol
        return None
    if res.status != 2:  # neither solved nor infeasible: let z3 decide
        return None
    # Farkas system in floats: y >= 0 on le rows, A^T y = 0, b^T y = -1.
    nrow = len(rows)
    Aeq = np.vstack([A.T, b[None, :]])
    beq = np.zeros(nvars + 1)
    beq[-1] = -1.0
    bounds = [(0, None) if rows[i][2] == "le" else (None, None) for i in range(nrow)]
    fr = linprog(np.ones(nrow) * 0.0, A_eq=Aeq, b_eq=beq, bounds=bounds, method="highs")
    if fr.status != 0:
        return None
    support = [i for i in range(nrow) if abs(fr.x[i]) > 1e-9]
    eqs = [[rows[i][0][j] for i in support] for j in range(nvars)] + [[rows[i][1] for i in support]]
    rhs = [Fraction(0)] * nvars + [Fraction(-1)]
    ys = _gauss(eqs, rhs, len(support), [Fraction(0)] * len(support))
    if ys is None:
        return None
    mult = {i: y for i, y in zip(support, ys) if y != 0}
    from nncert.verify.farkas import farkas_ok

    ok, _ = farkas_ok(rows, mult)
    return ("unsat", mult) if ok else None


#: LPs with more coefficients than this are not re-decided by cvc5 (the Farkas vector is checked exactly anyway).
CVC5_MAX_COEFFS = 20_000


def solve_lp(rows: Sequence[Row], nvars: int, log: dict[str, Any] | None = None, cross_check: bool = True) -> tuple[str, Any]:
    """Exact LP feasibility: ``("sat", values)`` or ``("unsat", sparse Farkas vector)``.

    Examples
    --------
    >>> rows = [((Fraction(1),), Fraction(0), "le"), ((Fraction(-1),), Fraction(-1), "le")]  # v<=0, v>=1
    >>> status, y = solve_lp(rows, 1)
    >>> status, sorted(y)
    ('unsat', [0, 1])
    """
    small = len(rows) * (nvars + 1) <= CVC5_MAX_COEFFS
    got = None if small else _solve_highs(rows, nvars)
    if got is None:
        got = _solve_z3(rows, nvars)
        engine = "z3"
    else:
        engine = "highs+exact"
    status, out = got
    if log is not None:
        log["lps"] = log.get("lps", 0) + 1
        log[f"{engine}_{status}"] = log.get(f"{engine}_{status}", 0) + 1
    if status == "unsat":
        if cross_check and not small:
            if log is not None:
                log["cvc5_skipped_large"] = log.get("cvc5_skipped_large", 0) + 1
        elif cross_check:
            agree = _cvc5_unsat(rows, nvars)
            if log is not None:
                log["cvc5_unsat_agree"] = log.get("cvc5_unsat_agree", 0) + int(agree)
            if not agree:
                raise SolverDisagreement("z3 says an LP is infeasible but cvc5 does not")
    return status, out


def clamp_network(w: Sequence[Fraction], b: Fraction, lo: Fraction, hi: Fraction) -> Network:
    """Width 1, depth 2: ``x -> clamp(w.x + b, lo, hi) = hi - relu(hi - lo - relu(w.x + b - lo))``.

    Examples
    --------
    >>> net = clamp_network([Fraction(1)], Fraction(0), Fraction(0), Fraction(2))
    >>> [net([v])[0] for v in (-1, 1, 5)]
    [Fraction(0, 1), Fraction(1, 1), Fraction(2, 1)]
    """
    one = Fraction(1)
    return Network(
        ((tuple(w),), ((-one,),), ((-one,),)),
        ((b - lo,), (hi - lo,), (hi,)),
    )


def _constant_network(d: int, value: int) -> Network:
    zero = Fraction(0)
    return Network(((tuple(zero for _ in range(d)),), ((zero,),)), ((zero,), (Fraction(value),)))


def _as_dataset(X: Any, y: Sequence[object] | None) -> Dataset:
    if isinstance(X, Dataset):
        if y is not None:
            raise InvalidArgument("pass either a Dataset or (X, y), not both")
        return X
    if y is None:
        raise InvalidArgument("labels y are missing (pass a Dataset or X and y)")
    return from_arrays(X, y)


def width_one(
    X: Any,
    y: Sequence[object] | None = None,
    semantics: str = "exact",
    *,
    cross_check: bool = True,
    max_nodes: int = 20_000,
) -> WidthOneResult:
    """Decide whether a width-1 ReLU network of any depth fits the data under ``semantics``.

    Parameters
    ----------
    X, y : a :class:`~nncert.data.Dataset` (then ``y`` is None) or points and labels.
    semantics : ``"exact"`` (output == class index) or ``"threshold"`` (classes are intervals of
        the output in some order).
    cross_check : put every LP z3 calls infeasible to cvc5 as well.
    max_nodes : budget of prefix nodes in the threshold search (``feasible=None`` if exhausted).

    Examples
    --------
    >>> xor = width_one([[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0, 1, 1])
    >>> xor.feasible, xor.check().holds
    (False, True)
    >>> mono = width_one([[0], [1], [2], [5]], [0, 1, 2, 2])
    >>> mono.feasible, [mono.network([v])[0] for v in (0, 1, 2, 5)] == [0, 1, 2, 2]
    (True, True)
    """
    if semantics not in SEMANTICS:
        raise InvalidArgument(f"semantics must be one of {SEMANTICS}, got {semantics!r}")
    data = _as_dataset(X, y)
    t0 = time.perf_counter()
    res = _exact(data, cross_check) if semantics == "exact" else _threshold(data, cross_check, max_nodes)
    res.seconds = time.perf_counter() - t0
    res.data = data
    return res


def _exact(data: Dataset, cross_check: bool) -> WidthOneResult:
    labels = data.labels
    present = sorted(set(labels))
    log: dict[str, Any] = {}
    if len(present) == 1:
        return WidthOneResult("exact", True, _constant_network(data.d, present[0]), solver_log=log)
    lo, hi = Fraction(present[0]), Fraction(present[-1])
    rows = exact_rows(data.points, labels)
    status, out = solve_lp(rows, data.d + 1, log, cross_check)
    if status == "sat":
        return WidthOneResult("exact", True, clamp_network(out[:-1], out[-1], lo, hi), solver_log=log)
    tree = {"prefix": [], "leaf": {"kind": "exact", "y": sparse_json(out)}}
    return WidthOneResult("exact", False, tree=tree, solver_log=log)


def _threshold(data: Dataset, cross_check: bool, max_nodes: int) -> WidthOneResult:
    pts, labels, d = data.points, data.labels, data.d
    present = sorted(set(labels))
    log: dict[str, Any] = {}
    if len(present) == 1:
        return WidthOneResult("threshold", True, _constant_network(d, 0), (present[0],), (), solver_log=log)
    for a, b in itertools.combinations(present, 2):
        rows = pair_rows(pts, labels, a, b)
        status, out = solve_lp(rows, d + 1, log, cross_check)
        if status == "unsat":
            leaf = {"kind": "pair", "classes": [str(a), str(b)], "y": sparse_json(out)}
            return WidthOneResult("threshold", False, tree={"prefix": [], "leaf": leaf}, solver_log=log)
    budget = [max_nodes]
    found: list[tuple[tuple[int, ...], list[Fraction]]] = []

    def visit(prefix: tuple[int, ...], hint: list[Fraction] | None) -> dict[str, Any] | None:
        """Subtree of ``prefix``; None if a feasible full order was found (stored in ``found``)."""
        rest = [c for c in present if c not in prefix]
        if prefix:
            budget[0] -= 1
            if budget[0] < 0:
                raise _Budget()
            status, out = solve_lp(prefix_rows(pts, labels, prefix), d + len(prefix), log, cross_check)
            if status == "unsat":
                return {"prefix": [str(c) for c in prefix], "leaf": {"kind": "order", "y": sparse_json(out)}}
            if len(rest) == 1:
                found.append((prefix + (rest[0],), out))
                return None
            hint = out[:d]
        if hint is not None:  # try first the class that lies lowest along the current w (heuristic)
            def mean_proj(c: int) -> Fraction:
                xs = [x for x, lab in zip(pts, labels) if lab == c]
                return sum((sum((wi * xi for wi, xi in zip(hint, x)), Fraction(0)) for x in xs), Fraction(0)) / len(xs)
            rest.sort(key=mean_proj)
        kids = []
        for c in rest:
            sub = visit(prefix + (c,), hint)
            if sub is None:
                return None
            kids.append(sub)
        kids.sort(key=lambda k: int(k["prefix"][-1]))
        return {"prefix": [str(c) for c in prefix], "children": kids}

    try:
        tree = visit((), None)
    except _Budget:
        log["budget_exhausted"] = max_nodes
        return WidthOneResult("threshold", None, solver_log=log)
    if tree is not None:
        return WidthOneResult("threshold", False, tree=tree, solver_log=log)
    order, sol = found[0]
    w, th = sol[:d], sol[d:]
    proj = [sum((wi * xi for wi, xi in zip(w, x)), Fraction(0)) for x in pts]
    c = 1 - min(proj)
    net = Network(((tuple(w),), ((Fraction(1),),)), ((c,), (Fraction(0),)))
    return WidthOneResult("threshold", True, net, order, tuple(t + c for t in th), solver_log=log)


class _Budget(Exception):
    pass
