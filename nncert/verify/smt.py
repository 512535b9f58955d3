"""z3 cross-checks (independent of :mod:`nncert.verify.exact`; untrusted: results are *admitted*).

:func:`z3_outputs` evaluates a network with z3's own rational arithmetic: every layer is the z3
term ``If(pre > 0, pre, 0)`` over the previous layer's values, simplified to a numeral. No Python
Fraction is involved, so a bug in our evaluator would show up as a disagreement.
:func:`z3_check_classification` asks z3, per point, whether ``output != label`` is satisfiable
(it must be ``unsat``). A solver answer cannot be re-derived by the trusted checker, so every
certificate that relies on it lists it under ``admitted``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np

from nncert.core import Network, Status, Verdict, fmt

__all__ = ["z3_outputs", "z3_check_classification", "z3_sample", "network_smtlib", "Z3_ADMITTED"]

#: What a certificate admits when it records a z3 cross-check.
Z3_ADMITTED = "z3: per-point 'output != label' unsat (cross-check only; not re-derived by `nncert check`)"


def _val(z3, v: Fraction):  # noqa: ANN001
    return z3.RealVal(f"{v.numerator}/{v.denominator}")


def z3_outputs(net: Network, point: Sequence[Fraction]) -> list[Fraction]:
    """Outputs of ``net`` at ``point`` computed by z3 (terms simplified to numerals layer by layer).

    Examples
    --------
    >>> net = Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> z3_outputs(net, [Fraction(1, 3), Fraction(1)])
    [Fraction(2, 3)]
    """
    import z3

    h = [_val(z3, v) for v in point]
    zero = z3.RealVal(0)
    last = net.depth
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        pre = []
        for row, bi in zip(w, b):
            terms = [_val(z3, wi) * hj for wi, hj in zip(row, h) if wi]
            pre.append(z3.simplify(z3.Sum(terms + [_val(z3, bi)]) if terms else _val(z3, bi)))
        h = pre if k == last else [z3.simplify(z3.If(p > 0, p, zero)) for p in pre]
    return [_z3_fraction(v) for v in h]


def _z3_fraction(v) -> Fraction:  # noqa: ANN001
    frac = v.as_fraction()
    return Fraction(frac.numerator, frac.denominator)


def z3_sample(n: int, depth: int, *, max_points: int = 300, budget: int = 100_000, seed: int = 0) -> list[int]:
    """Which point indices the z3 cross-check visits: all when ``n <= max_points`` and the work
    ``n * (depth + 1)`` fits ``budget``; otherwise a seeded uniform sample (without replacement) of
    ``min(max_points, max(20, budget // (depth + 1)))`` points, sorted.

    Examples
    --------
    >>> z3_sample(5, 10)
    [0, 1, 2, 3, 4]
    >>> len(z3_sample(10_000, 10))
    300
    """
    size = min(n, max_points, max(20, budget // (depth + 1)))
    if size >= n:
        return list(range(n))
    rng = np.random.default_rng(seed)
    return sorted(int(i) for i in rng.choice(n, size=size, replace=False))


def _smt_real(v: Fraction) -> str:
    n, d = v.numerator, v.denominator
    text = f"(/ {abs(n)}.0 {d}.0)" if d != 1 else f"{abs(n)}.0"
    return f"(- {text})" if n < 0 else text


def network_smtlib(net: Network) -> tuple[str, list[str]]:
    """SMT-LIB2 definitions of the network's layers over constants ``x0..x{d-1}`` (which the caller
    defines first); returns (text, names of the output terms). Every hidden unit is
    ``(ite (> pre 0.0) pre 0.0)``."""
    lines = []
    prev = [f"x{j}" for j in range(net.input_dim)]
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        cur = []
        for r, (row, bi) in enumerate(zip(w, b)):
            terms = " ".join(f"(* {_smt_real(wi)} {hj})" for wi, hj in zip(row, prev) if wi)
            pre = f"(+ {terms} {_smt_real(bi)})" if terms else _smt_real(bi)
            name = f"p{k}_{r}"
            lines.append(f"(define-fun {name} () Real {pre})")
            if k < net.depth:
                lines.append(f"(define-fun h{k}_{r} () Real (ite (> {name} 0.0) {name} 0.0))")
                cur.append(f"h{k}_{r}")
            else:
                cur.append(name)
        prev = cur
    return "\n".join(lines), prev


def z3_check_classification(
    net: Network,
    points: Sequence[Sequence[Fraction]],
    labels: Sequence[int],
    indices: Sequence[int] | None = None,
) -> Verdict:
    """For each selected point, z3 must answer ``unsat`` to "the network's output differs from the
    label" (network given as SMT-LIB2 ``define-fun`` terms, the point's coordinates inlined).
    On ``sat`` the verdict is REFUTED with z3's evaluation of the output at that point.

    Examples
    --------
    >>> net = Network.from_rows([[[1]]], [[0]])
    >>> z3_check_classification(net, [(Fraction(0),), (Fraction(1),)], [0, 1]).status.value
    'HOLDS'
    """
    import z3

    idx = list(range(len(points))) if indices is None else list(indices)
    if net.output_dim != 1:
        return Verdict(Status.REFUTED, "z3 classification", reason="network does not have exactly one output",
                       counterexample={"output_dim": str(net.output_dim)})
    body, outs = network_smtlib(net)
    for i in idx:
        head = "\n".join(f"(define-fun x{j} () Real {_smt_real(v)})" for j, v in enumerate(points[i]))
        text = f"{head}\n{body}\n(assert (not (= {outs[0]} {labels[i]}.0)))"
        s = z3.Solver()
        s.from_string(text)
        answer = s.check()
        if answer != z3.unsat:
            out = z3_outputs(net, points[i])[0]
            return Verdict(
                Status.REFUTED,
                "z3 classification",
                reason=f"z3 answers {answer} at point {i}: output {fmt(out)}, label {labels[i]}",
                counterexample={"point": str(i), "output": fmt(out), "expected": str(labels[i])},
                admitted=(Z3_ADMITTED,),
            )
    scope = "all" if len(idx) == len(points) else f"a seeded sample of {len(idx)} of"
    return Verdict(Status.HOLDS, "z3 classification", evidence=f"z3 unsat at {scope} {len(points)} points",
                   admitted=(Z3_ADMITTED,))
