"""``nncert approximate EXPR --domain 0:1 --p 2 --eps 1/20``: width d+1 network with a certified L^p error."""

from __future__ import annotations

import argparse
import time


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "approximate",
        help="width d+1 ReLU network approximating a target in L^p, with a certified error bound",
        description="Parse EXPR with a restricted grammar (numbers, x1..xd, + - * / ^, sin cos exp log sqrt abs pi; "
        "several outputs separated by ';'), build the width d+1 network of docs/approximation.md, print width, depth, "
        "certified bound, numeric estimate and conditioning, and write a certificate that 'nncert check' verifies.",
    )
    p.add_argument("expr", help='target, e.g. "sin(pi*x1)" or "x1*x2; abs(x1-x2)" for R^2 outputs')
    p.add_argument("--domain", required=True, help="box lo:hi per axis, comma separated, e.g. 0:1,0:1")
    p.add_argument("--p", default="2", help="exponent p in [1, inf) (default 2)")
    p.add_argument("--eps", required=True, help="tolerance eps > 0, e.g. 1/20 or 0.05")
    p.add_argument("--lipschitz", default=None, help="declared Lipschitz constant (default: interval arithmetic)")
    p.add_argument("--sobolev", default=None, help="declared bound on |f|_{W^{1,p}}: use cell averages + Poincare")
    p.add_argument("--out", default="approximation.cert.json", help="certificate path")
    p.add_argument("--plot", default=None, help="PNG of target vs network (d = 1 or 2)")
    p.add_argument("--seed", type=int, default=0, help="seed of the Monte Carlo estimate (d >= 3)")
    p.add_argument("--no-exact", action="store_true", help="skip the exact sympy error (d <= 2)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nncert.cli._progress import Progress
    from nncert.constructions.approximate import parse_domain
    from nncert.errors import InvalidArgument
    from nncert.proofs.claims.p1_approximation import ID_LP, ID_SOB, ID_VEC, _certify
    from nncert.verify.expr import parse

    t0 = time.perf_counter()
    dom = parse_domain(args.domain)
    texts = [t.strip() for t in args.expr.split(";")]
    if any(not t for t in texts):
        raise InvalidArgument(f"empty output expression in {args.expr!r}")
    exprs = tuple(parse(t, len(dom)) for t in texts)
    if args.sobolev is not None and len(exprs) > 1:
        raise InvalidArgument("--sobolev is for scalar targets; use --lipschitz for R^m targets")
    claim = ID_VEC if len(exprs) > 1 else (ID_SOB if args.sobolev is not None else ID_LP)
    with Progress("approximate") as prog:
        cert = _certify(claim, exprs if len(exprs) > 1 else exprs[0], args.domain, args.p, args.eps,
                        lipschitz=args.lipschitz, sobolev=args.sobolev, seed=args.seed, exact=not args.no_exact,
                        progress=prog.update)
    cert.save(args.out)
    pr, cb = cert.params, cert.checked_by
    num = cb.get("numeric", {})
    rows = [
        ("claim", claim),
        ("d, m", f"{pr['d']}, {pr['m']}"),
        ("width", f"{pr['width']}  (bound {pr['width_bound']})"),
        ("depth (hidden layers)", f"{pr['depth']}  ({pr['affine_maps']} affine maps); formula "
                                  f"{pr['depth_formula']} (n_formula = {pr['n_formula']})"),
        ("grid n, eta", f"{pr['n']}, {pr['eta']}"),
        ("certified bound", f"{float(_q(pr['bound'])):.6g}  <= eps = {pr['eps']}  (p = {pr['p']})"),
        ("numeric estimate", f"{num.get('estimate', 'n/a')}  [{', '.join(num.get('interval', []))}]  "
                             f"({num.get('method', '')})"),
    ]
    if "exact" in cb:
        rows.append(("exact error (sympy)", f"{cb['exact']['error']}  (p-th power {_short(cb['exact']['error_pth_power'])})"))
    rows.append(("admitted", "; ".join(cert.admitted) or "nothing"))
    rows.append(("seconds", f"{time.perf_counter() - t0:.2f}"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print(cb.get("conditioning", "conditioning: n/a"))
    print(f"certificate written to {args.out}")
    if args.plot:
        _plot(cert, exprs, dom, args.plot)
        print(f"plot written to {args.plot}")
    ok = cb.get("bound_recheck", "").startswith("HOLDS")
    return 0 if ok else 1


def _q(text: str):  # noqa: ANN202
    from fractions import Fraction

    return Fraction(text)


def _short(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:18]}...{text[-18:]}"


def _plot(cert, exprs, dom, path: str) -> None:  # noqa: ANN001
    """Target vs network (network evaluated exactly on the plot grid)."""
    from fractions import Fraction

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from nncert.core import Network
    from nncert.errors import InvalidArgument
    from nncert.verify.lp_error import evaluate_fast, numeric_eval

    d = len(dom)
    net = Network.from_json(cert.witness["network"])
    if d == 1:
        k = 801
        lo, hi = dom[0]
        pts = [(lo + (hi - lo) * Fraction(i, k - 1),) for i in range(k)]
        X = np.array([[float(p[0])] for p in pts])
        Y = np.array([[float(v) for v in o] for o in evaluate_fast(net, pts)])
        F = np.stack([numeric_eval(e, X) for e in exprs], axis=1)
        fig, ax = plt.subplots(figsize=(7, 4))
        for j in range(F.shape[1]):
            ax.plot(X[:, 0], F[:, j], label=f"target f{j + 1}" if F.shape[1] > 1 else "target f")
            ax.plot(X[:, 0], Y[:, j], label="network (exact)", drawstyle="default")
        ax.set_xlabel("x1")
        ax.set_ylabel("value")
        ax.legend()
        ax.set_title(f"width {cert.params['width']}, depth {cert.params['depth']}, certified L^{cert.params['p']} "
                     f"error <= {float(Fraction(cert.params['bound'])):.3g}")
    elif d == 2:
        k = 81
        (a0, b0), (a1, b1) = dom
        pts = [(a0 + (b0 - a0) * Fraction(i, k - 1), a1 + (b1 - a1) * Fraction(j, k - 1)) for j in range(k) for i in range(k)]
        X = np.array([[float(u), float(v)] for u, v in pts])
        Y = np.array([float(o[0]) for o in evaluate_fast(net, pts)]).reshape(k, k)
        F = numeric_eval(exprs[0], X).reshape(k, k)
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        for ax, Z, title in ((axes[0], F, "target f (first output)"), (axes[1], Y, "network (exact)")):
            im = ax.imshow(Z, origin="lower", extent=(float(a0), float(b0), float(a1), float(b1)), aspect="auto")
            ax.set_xlabel("x1")
            ax.set_ylabel("x2")
            ax.set_title(title)
            fig.colorbar(im, ax=ax)
    else:
        raise InvalidArgument(f"--plot supports d = 1 or 2, not d = {d}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
