"""Claim (paper 2, Bernoulli special case in the dynamics): with Bernoulli(q) batches and Euler with ``h = dt``,
the random-batch trajectory *is* a residual network with inverted dropout (drop probability ``1 - q``,
survivors scaled by ``1/q``), exactly, under the same masks.

Exact throughout (ReLU field, Fraction parameters, 0/1 masks). The trusted checker

1. derives ``pi_i = q`` from the Bernoulli law's closed form and the drop probability ``1 - q``;
2. rebuilds, with its own matrix products, the residual-dropout layers ``[A; I; -I]`` and
   ``[h W diag(m_k/q), I, -I]`` and requires the certificate's network to equal their composition
   weight-for-weight (so the network computes ``x + h W diag(m_k/q) relu(A x + b)`` layer by layer, for
   every input, since ``relu(x) - relu(-x) = x``);
3. at every listed point, runs the Euler recursion of ``F^h = sum_i (m_i/pi_i) f_i`` in exact arithmetic
   and compares it with the network's exact output (:func:`nncert.verify.exact.evaluate`) and with the
   stated outputs.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import numpy as np

from nncert.core import Certificate, Network, Verdict, fmt, parse_exact
from nncert.errors import InvalidCertificate
from nncert.proofs import Claim
from nncert.proofs.claims._rbm_common import bits, holds, need, refuted
from nncert.verify.exact import evaluate
from nncert.verify.rbm_reference import inclusion_exact, parse_bits

ID = "P2.bernoulli_dropout.residual"
STATEMENT = ("Bernoulli(q) batches, Euler with h = dt: the random-batch trajectory equals a residual network with "
             "inverted dropout (drop probability 1-q) under the same masks, exactly")


def certify(*, p: int = 6, d: int = 2, K: int = 5, q: Fraction = Fraction(1, 2), h: Fraction = Fraction(1, 5),
            n_points: int = 4, seed: int = 0) -> Certificate:
    """Random exact parameters and Bernoulli masks (seeded); build the network and the Euler outputs (untrusted)."""
    from nncert.constructions.batches import Bernoulli
    from nncert.constructions.rbm_dropout import euler_exact, residual_dropout_network

    t0 = time.perf_counter()
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 2024]))
    A = [[Fraction(int(v), 4) for v in rng.integers(-8, 9, size=d)] for _ in range(p)]
    b = [Fraction(int(v), 4) for v in rng.integers(-4, 5, size=p)]
    W = [[Fraction(int(v), 4) for v in rng.integers(-8, 9, size=p)] for _ in range(d)]
    scheme = Bernoulli(p, q)
    masks = [[int(v) for v in row] for row in scheme.sample_many(rng, K)]
    pts = [[Fraction(int(v), 8) for v in rng.integers(-16, 17, size=d)] for _ in range(n_points)]
    net = residual_dropout_network(A, b, W, masks, q, h)
    outs = [euler_exact(A, b, W, masks, scheme.pi()[0], h, x) for x in pts]
    agree = all(evaluate(net, x) == o for x, o in zip(pts, outs))
    params = {"p": str(p), "d": str(d), "K": str(K), "q": fmt(q), "h": fmt(h), "dt": fmt(h),
              "drop_probability": fmt(1 - q), "n_points": str(n_points)}
    witness = {
        "scheme": scheme.spec(),
        "A": [[fmt(v) for v in row] for row in A], "b": [fmt(v) for v in b], "W": [[fmt(v) for v in row] for row in W],
        "masks": [bits(m) for m in masks],
        "points": [[fmt(v) for v in x] for x in pts],
        "outputs": [[fmt(v) for v in o] for o in outs],
        "network": net.to_json(),
    }
    checked_by = {"producer": "nncert.constructions.rbm_dropout (exact Euler and network construction)",
                  "producer_agreement": str(agree), "seed": str(seed)}
    return Certificate(ID, params, witness, (), checked_by, {"certify": f"{time.perf_counter() - t0:.3f}"})


def _mat(obj: Any, rows: int, cols: int, where: str) -> list[list[Fraction]]:
    if not isinstance(obj, list) or len(obj) != rows or not all(isinstance(r, list) and len(r) == cols for r in obj):
        raise InvalidCertificate(f"{where} must be a {rows} x {cols} matrix")
    return [[parse_exact(v, where) for v in r] for r in obj]


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted re-check: structure of the network, exact Euler vs exact network outputs."""
    P = need(cert.params, {"p", "d", "K", "q", "h", "dt", "drop_probability", "n_points"}, "params")
    w = need(cert.witness, {"scheme", "A", "b", "W", "masks", "points", "outputs", "network"}, "witness")
    p, d, K, n = (int(parse_exact(P[k], k)) for k in ("p", "d", "K", "n_points"))
    q, h, dt = parse_exact(P["q"], "q"), parse_exact(P["h"], "h"), parse_exact(P["dt"], "dt")
    if min(p, d, K, n) < 1 or p > 400 or d > 50 or K > 200 or n > 1000:
        raise InvalidCertificate("params p, d, K, n_points out of range")
    parts: list[Verdict] = []
    if not isinstance(w["scheme"], dict) or w["scheme"].get("scheme") != "bernoulli":
        raise InvalidCertificate("witness.scheme must be a Bernoulli scheme spec")
    pi, pair = inclusion_exact(w["scheme"])
    if len(pi) != p or any(v != q for v in pi) or (p > 1 and pair(0, 1) != q * q):
        parts.append(refuted("Bernoulli inclusion", f"scheme pi != q = {fmt(q)} for every neuron"))
    elif h != dt or parse_exact(P["drop_probability"], "drop_probability") != 1 - q:
        parts.append(refuted("stated values", f"need h == dt and drop probability 1 - q = {fmt(1 - q)}"))
    else:
        parts.append(holds("Bernoulli inclusion", f"pi_i = q = {fmt(q)} for all {p} neurons: HT weight m_i/q is "
                           f"inverted dropout with drop probability {fmt(1 - q)}; h = dt = {fmt(h)}"))
    A = _mat(w["A"], p, d, "A")
    b = _mat([w["b"]], 1, p, "b")[0]
    W = _mat(w["W"], d, p, "W")
    if not isinstance(w["masks"], list) or len(w["masks"]) != K:
        raise InvalidCertificate(f"witness.masks must list K={K} masks")
    masks = [[int(v) for v in parse_bits(m, p, "masks")] for m in w["masks"]]
    net = Network.from_json(w["network"], "witness.network")
    # 2. structure: rebuild the layers by our own products
    eye = [[Fraction(int(a == c)) for c in range(d)] for a in range(d)]
    top = A + eye + [[-v for v in r] for r in eye]
    top_b = list(b) + [Fraction(0)] * (2 * d)
    outs = [[[h * W[a][i] * m[i] / q for i in range(p)] + eye[a] + [-v for v in eye[a]] for a in range(d)] for m in masks]
    want_w = [top] + [[[sum((top[r][a] * O[a][c] for a in range(d)), Fraction(0)) for c in range(p + 2 * d)]
                       for r in range(p + 2 * d)] for O in outs[:-1]] + [outs[-1]]
    want_b = [top_b] * K + [[Fraction(0)] * d]
    same = len(net.weights) == K + 1 and all(
        [list(r) for r in net.weights[k]] == want_w[k] and list(net.biases[k]) == want_b[k] for k in range(K + 1))
    parts.append(holds("network is the residual dropout net", f"{K} residual layers x + h W diag(m_k/q) relu(Ax+b), "
                       f"depth {net.depth}, width {net.width}: weights equal the composition exactly")
                 if same else refuted("network is the residual dropout net", "weights differ from the residual-dropout "
                                      "composition", layer=str(next((k for k in range(min(K + 1, len(net.weights)))
                                                                     if [list(r) for r in net.weights[k]] != want_w[k]
                                                                     or list(net.biases[k]) != want_b[k]), K))))
    # 3. exact Euler vs exact network at the points
    if not isinstance(w["points"], list) or len(w["points"]) != n or not isinstance(w["outputs"], list) \
            or len(w["outputs"]) != n:
        raise InvalidCertificate(f"witness.points and witness.outputs must list n_points={n} entries")
    pts = _mat(w["points"], n, d, "points")
    stated = _mat(w["outputs"], n, d, "outputs")
    bad = []
    for k, x in enumerate(pts):
        state = list(x)
        for m in masks:
            act = [max(Fraction(0), sum((A[i][a] * state[a] for a in range(d)), b[i])) for i in range(p)]
            state = [state[a] + dt * sum((W[a][i] * (Fraction(m[i]) / pi[i]) * act[i] for i in range(p)), Fraction(0))
                     for a in range(d)]
        got = list(evaluate(net, x)) if net.input_dim == d and net.output_dim == d else None
        if got != state or stated[k] != state:
            bad.append(k)
    parts.append(holds("Euler(h = dt) == residual dropout network", f"exact equality at all {n} points after {K} steps")
                 if not bad else refuted("Euler(h = dt) == residual dropout network",
                                         f"outputs differ at point {bad[0]}", point=str(bad[0])))
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    return certify()


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 2, Bernoulli dropout as a special case (dynamics half: Euler h = dt is a residual net with dropout)",
    certify=certify,
    check=check,
    depends_on=("P2.unbiasedness",),
    quick=_quick,
)
