"""Exact vs floating-point answers on queries at (or within 1e-12 of) a decision boundary (issue 8, item 5).

Networks: |x0 - x1| (ours), the width-2 peel network of Iris (ours), and random ReLU MLPs with float32
weights (seeded; widths <= 16, depth <= 6) read exactly by ``nncert.interop.from_numpy``.

Queries
-------
* Acceptance 1 on |x0 - x1| over [0,1]^2: ``y <= 1`` (true), ``y <= 1 - 1e-11`` (false),
  ``y < 1 + 1e-11`` (true; its negation is the query Marabou reportedly answers "sat").
* For each network, points exactly on its decision boundary (exact bisection along a segment between two
  points of different class, then the exact root on the final linear piece) and the two points at
  L-infinity distance 1e-12 on either side along the segment. Point queries: "what is the class?".
  Box queries: "is the class constant on the ball of radius 1e-12 (on-boundary points) / 5e-13 (others)?".
  Also the points at distance 1e-17 (below float64 resolution near 1: both sides round to the same float),
  with box radius 5e-18.

Answers compared with the exact one (nncert: exact evaluation, and ``nncert.verify.robustness.verify``):
* ``float64 eval``: numpy float64 evaluation of the float64-rounded network at the float64-rounded point;
  argmax / ``y > t`` decides (a float decision always names a class, even on a tie).
* ``float box tool (emulated)``: what float verifiers do, in miniature: float64 interval bound propagation
  (round-to-nearest, no outward rounding) to prove, and a float64 search (centre, corners, 200 seeded random
  points) that accepts a counterexample when its float margin is <= 1e-9 (a feasibility tolerance as in
  LP-based tools). This is an emulation, not Marabou.
* Marabou, only if ``maraboupy`` is installed (it is optional and not required).

A float answer is *wrong* when it contradicts the exact answer (UNKNOWN is never counted as wrong).
Run: ``python benchmarks/vs_float_verifiers.py [--seed 0] [--points 6] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import sys
import time
from fractions import Fraction

import numpy as np

from nncert.core import Network, Status
from nncert.verify.decision import predict
from nncert.verify.robustness import Box, bound_query, class_query, verify

TOL = 1e-9
EPS = Fraction(1, 10**12)


# ------------------------------------------------------------------ networks
def abs_net() -> Network:
    return Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])


def random_net(rng: np.random.Generator, d: int, widths: list[int], outputs: int) -> Network:
    from nncert.interop import from_numpy

    dims = [d] + widths + [outputs]
    ws = [(rng.normal(size=(b, a)) / np.sqrt(a)).astype(np.float32) for a, b in zip(dims, dims[1:])]
    bs = [(0.1 * rng.normal(size=b)).astype(np.float32) for b in dims[1:]]
    return from_numpy(ws, bs).network


def peel_iris() -> tuple[Network, list, list]:
    from nncert.constructions.memorize import peel
    from nncert.data import load_bundled

    data = load_bundled("iris")
    return peel(data).network, list(data.points), list(data.labels)


# ------------------------------------------------------------------ exact boundary points
def _pattern(net: Network, x) -> tuple:
    h, pat = list(x), []
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        pre = [sum((wi * hi for wi, hi in zip(row, h)), bi) for row, bi in zip(w, b)]
        if k < net.depth:
            pat.append(tuple(p > 0 for p in pre))
            h = [p if p > 0 else Fraction(0) for p in pre]
    return tuple(pat)


def boundary_point(net: Network, g, a, b, max_steps: int = 200):
    """Exact x on segment [a, b] with g(net(x)) == 0, given g(a) < 0 < g(b) (or the reverse)."""
    ga, gb = g(net(a)), g(net(b))
    assert ga * gb < 0
    for _ in range(max_steps):
        if _pattern(net, a) == _pattern(net, b):  # one convex linear region: g is affine on [a, b]
            s = ga / (ga - gb)
            x = tuple(ai + s * (bi - ai) for ai, bi in zip(a, b))
            if g(net(x)) == 0:
                return x
        m = tuple((ai + bi) / 2 for ai, bi in zip(a, b))
        gm = g(net(m))
        if gm == 0:
            return m
        if (gm < 0) == (ga < 0):
            a, ga = m, gm
        else:
            b, gb = m, gm
    return None


# ------------------------------------------------------------------ float baselines
def float_weights(net: Network):
    return [(np.array([[float(v) for v in r] for r in w]), np.array([float(v) for v in b]))
            for w, b in zip(net.weights, net.biases)]


def float_eval(fw, X: np.ndarray) -> np.ndarray:
    H = np.atleast_2d(X)
    for k, (W, B) in enumerate(fw):
        H = H @ W.T + B
        if k < len(fw) - 1:
            H = np.maximum(H, 0.0)
    return H


def float_class(y: np.ndarray, mode: str, t: float | None) -> int:
    if mode == "argmax":
        return int(np.argmax(y))
    if mode == "threshold":
        return int(y[0] > t)
    return int(np.floor(y[0] + 0.5))


def float_margin(y: np.ndarray, label: int, mode: str, t: float | None) -> float:
    if mode == "argmax":
        return float(y[label] - max(v for j, v in enumerate(y) if j != label))
    if mode == "threshold":
        return float(y[0] - t) if label == 1 else float(t - y[0])
    return float(min(y[0] - (label - 0.5), (label + 0.5) - y[0]))


def float_ibp(fw, lo: np.ndarray, hi: np.ndarray):
    for k, (W, B) in enumerate(fw):
        Wp, Wn = np.maximum(W, 0), np.minimum(W, 0)
        lo, hi = Wp @ lo + Wn @ hi + B, Wp @ hi + Wn @ lo + B
        if k < len(fw) - 1:
            lo, hi = np.maximum(lo, 0), np.maximum(hi, 0)
    return lo, hi


def float_box_tool(fw, box: Box, mode: str, t: float | None, label: int, rng) -> str:
    lo = np.array([float(v) for v in box.lo])
    hi = np.array([float(v) for v in box.hi])
    ylo, yhi = float_ibp(fw, lo, hi)
    if mode == "argmax":
        proven = all(ylo[label] - yhi[j] > 0 for j in range(len(ylo)) if j != label)
    elif mode == "threshold":
        proven = (ylo[0] - t > 0) if label == 1 else (t - yhi[0] > 0)
    else:
        proven = ylo[0] > label - 0.5 and yhi[0] < label + 0.5
    if proven:
        return "HOLDS"
    pts = [(lo + hi) / 2] + [np.array(c) for c in itertools.product(*zip(lo, hi))][:64]
    pts += list(lo + (hi - lo) * rng.random((200, len(lo))))
    Y = float_eval(fw, np.array(pts))
    if any(float_margin(y, label, mode, t) <= TOL for y in Y):
        return "REFUTED"
    return "UNKNOWN"


def float_bound_tool(fw, box: Box, bound: float, op: str) -> str:
    """Float answer to 'y0 op bound on the box' (op '<=' or '<'): IBP to prove, tolerant search to refute."""
    lo = np.array([float(v) for v in box.lo])
    hi = np.array([float(v) for v in box.hi])
    _, yhi = float_ibp(fw, lo, hi)
    if (yhi[0] <= bound) if op == "<=" else (yhi[0] < bound):
        return "HOLDS"
    pts = [np.array(c) for c in itertools.product(*zip(lo, hi))] + [(lo + hi) / 2]
    Y = float_eval(fw, np.array(pts))
    # feasibility tolerance: a violation "y > bound" is accepted if y >= bound - TOL
    return "REFUTED" if any(y[0] >= bound - TOL for y in Y) else "UNKNOWN"


# ------------------------------------------------------------------ runs
class Table:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, **row) -> None:
        self.rows.append(row)


def timed(f, *a, **k):
    t0 = time.perf_counter()
    r = f(*a, **k)
    return r, time.perf_counter() - t0


def acceptance_abs(table: Table) -> None:
    net = abs_net()
    fw = float_weights(net)
    box = Box.of([0, 0], [1, 1])
    for op, b, text in (("<=", Fraction(1), "1"), ("<=", 1 - Fraction(1, 10**11), "1 - 1e-11"),
                        ("<", 1 + Fraction(1, 10**11), "1 + 1e-11")):
        r, te = timed(verify, net, bound_query(box, 0, op, b, 1), bound_proofs=False)
        fa, tf = timed(float_bound_tool, fw, box, float(b), op)
        table.add(network="abs(x0-x1)", query=f"y {op} {text} on [0,1]^2", exact=r.verdict.status.value,
                  exact_s=te, float_eval="-", float_eval_s=0.0, float_tool=fa, float_tool_s=tf,
                  float_tool_wrong=int(fa != "UNKNOWN" and fa != r.verdict.status.value),
                  float_eval_wrong=0, note=(f"cex {tuple(str(v) for v in r.counterexample)}"
                                            if r.counterexample else ", ".join(r.methods)))


def boundary_queries(table: Table, name: str, net: Network, mode: str, t: Fraction | None, pairs, rng,
                     timeout: float) -> None:
    fw = float_weights(net)
    tf_ = float(t) if t is not None else None
    if mode == "argmax":
        def g(y):
            return y[0] - y[1]
    elif mode == "threshold":
        def g(y):
            return y[0] - t
    else:
        def g(y):
            return y[0] - Fraction(1, 2)
    kinds = ("on boundary", "within 1e-12", "within 1e-17")
    stats = {k: [0, 0, 0.0, 0.0, 0, 0, 0.0] for k in kinds}
    counts = {k: {"HOLDS": 0, "REFUTED": 0, "UNKNOWN": 0} for k in stats}
    for a, b in pairs:
        x = boundary_point(net, g, a, b)
        if x is None:
            continue
        v = tuple(bi - ai for ai, bi in zip(a, b))
        vmax = max(abs(c) for c in v)
        u = tuple(c / vmax for c in v)
        cases = [("on boundary", x, EPS)]
        for sgn in (1, -1):
            cases.append(("within 1e-12", tuple(xi + sgn * EPS * ui for xi, ui in zip(x, u)), EPS / 2))
        tiny = Fraction(1, 10**17)
        for sgn in (1, -1):
            cases.append(("within 1e-17", tuple(xi + sgn * tiny * ui for xi, ui in zip(x, u)), tiny / 2))
        for kind, p, radius in cases:
            st = stats[kind]
            exact_cls, te1 = timed(lambda: predict(net(p), mode, t))
            fcls, tfe = timed(lambda: float_class(float_eval(fw, np.array([float(c) for c in p]))[0], mode, tf_))
            st[0] += 1
            st[1] += int(exact_cls is None or fcls != exact_cls)
            st[2] += te1
            st[3] += tfe
            q = class_query(net, p, radius, mode=mode, threshold=t)
            r, te = timed(verify, net, q, timeout=timeout)
            label = predict(net(q.box.center()), mode, t)
            flabel = label if label is not None else fcls
            fa, tft = timed(float_box_tool, fw, q.box, mode, tf_, flabel, rng)
            counts[kind][r.verdict.status.value] += 1
            st[4] += int(fa != "UNKNOWN" and r.verdict.status is not Status.UNKNOWN and fa != r.verdict.status.value)
            st[5] += 1
            st[6] += te
            st.append((tft,))
    for kind, st in stats.items():
        if not st[0]:
            continue
        tft = sum(e[0] for e in st[7:]) / max(1, st[5])
        c = counts[kind]
        table.add(network=name, query=f"class at {st[0]} points {kind}", exact=f"{c['HOLDS']} H / {c['REFUTED']} R / "
                  f"{c['UNKNOWN']} U (box)", exact_s=(st[2] + st[6]) / st[0], float_eval=f"{st[1]}/{st[0]} wrong",
                  float_eval_s=st[3] / st[0], float_tool=f"{st[4]}/{st[5]} wrong", float_tool_s=tft,
                  float_tool_wrong=st[4], float_eval_wrong=st[1], note="point class + box of radius "
                  + {"on boundary": "1e-12", "within 1e-12": "5e-13", "within 1e-17": "5e-18"}[kind])


def balance(net: Network, rng, d: int) -> Network:
    """Shift output 0's bias (by a dyadic) so that y0 - y1 (or y0) has median ~0 on [-1,1]^d: both classes occur."""
    X = rng.uniform(-1, 1, size=(400, d))
    Y = net.evaluate_float(X)
    g = Y[:, 0] - Y[:, 1] if net.output_dim == 2 else Y[:, 0]
    shift = Fraction(float(np.float32(np.median(g))))
    biases = list(net.biases)
    biases[-1] = (biases[-1][0] - shift,) + biases[-1][1:]
    return Network(net.weights, tuple(biases))


def random_pairs(net: Network, rng, d: int, n: int, mode: str, t) -> list:
    """Pairs of dyadic points in [-1,1]^d with different exact class."""
    pairs, tries = [], 0
    while len(pairs) < n and tries < 2000:
        tries += 1
        a = tuple(Fraction(int(v), 1024) for v in rng.integers(-1024, 1025, size=d))
        b = tuple(Fraction(int(v), 1024) for v in rng.integers(-1024, 1025, size=d))
        ca, cb = predict(net(a), mode, t), predict(net(b), mode, t)
        if ca is not None and cb is not None and ca != cb:
            pairs.append((a, b))
    return pairs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--points", type=int, default=6, help="boundary points per network (default 6)")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--out", default=None, help="directory for vs_float_verifiers.csv")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    table = Table()
    try:
        import maraboupy  # noqa: F401

        print("maraboupy is installed, but this benchmark does not drive it yet", file=sys.stderr)
    except ImportError:
        print("maraboupy not installed: Marabou column skipped (optional)", file=sys.stderr)
    acceptance_abs(table)
    net, pts, labs = peel_iris()
    pairs = [(pts[i], pts[j]) for i, j in zip(range(0, 50, 7), range(50, 100, 7)) if labs[i] != labs[j]][:args.points]
    boundary_queries(table, "peel(iris) width 2 depth 11", net, "nearest", None, pairs, rng, args.timeout)
    for d, widths, outs in ((4, [8, 8], 2), (4, [16, 16, 16], 2), (3, [16] * 6, 2), (4, [8, 8, 8, 8], 1)):
        net = balance(random_net(rng, d, widths, outs), rng, d)
        mode, t = ("argmax", None) if outs == 2 else ("threshold", Fraction(0))
        pairs = random_pairs(net, rng, d, args.points, mode, t)
        name = f"random f32 d={d} widths {widths} out={outs}"
        boundary_queries(table, name, net, mode, t, pairs, rng, args.timeout)
    cols = ["network", "query", "exact", "exact_s", "float_eval", "float_eval_s", "float_tool", "float_tool_s"]
    print("| network | query | exact (nncert) | s/query | float64 eval | s/query | float box tool (emulated) | s/query |")
    print("|---|---|---|---|---|---|---|---|")
    for r in table.rows:
        print("| " + " | ".join(f"{r[c]:.4f}" if c.endswith("_s") else str(r[c]) for c in cols) + " |")
    for r in table.rows:
        if r["network"] == "abs(x0-x1)":
            print(f"  {r['query']}: exact {r['exact']} ({r['note']}); float box tool {r['float_tool']}")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "vs_float_verifiers.csv"), "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(table.rows[0]))
            w.writeheader()
            w.writerows(table.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
