"""``nncert rbm design CONTRIBUTIONS.npz``: Gram matrix, Lambda per scheme, optimal/adversarial balanced partitions.

The ``.npz`` file (read with ``allow_pickle=False``) holds the contributions ``f_i(t_j, x_m(t_j))`` as an
array of shape ``(T, N, p, d)`` under the key ``f`` (or ``contributions``, or the only array in the file)
and optionally the time grid ``t`` (length T; default ``linspace(0, 1, T)``).
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from fractions import Fraction

from nncert.errors import InvalidArgument


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "design",
        help="batch design from contributions along trajectories: G, Lambda per scheme, optimal partitions",
        description="Read contributions (T, N, p, d) from an .npz file, compute the Gram matrix G and the integrated "
        "variance Lambda of Bernoulli(r/p), uniform r-of-p and balanced partitions; find the optimal and adversarial "
        "balanced partitions exactly by enumeration (p <= 12) or by local search next to certified lower bounds "
        "(larger p); write design.csv and, for p <= 10, a P2.batch_design certificate to --out.",
    )
    p.add_argument("contributions", help=".npz file with f (T, N, p, d) and optionally t (T,)")
    p.add_argument("--r", default=None, help="block sizes, comma list (default: every divisor 1 < r < p)")
    p.add_argument("--out", default="rbm_design_out", help="output directory (default rbm_design_out)")
    p.add_argument("--seed", type=int, default=0, help="seed of the local search and Monte Carlo (default 0)")
    p.add_argument("--restarts", type=int, default=16, help="local-search restarts for p > 12 (default 16)")
    p.add_argument("--draws", type=int, default=20000, help="Monte Carlo draws per scheme in the certificate")
    p.add_argument("--no-cert", action="store_true", help="do not write a certificate")
    p.set_defaults(run=run)


def load_contributions(path: str):  # noqa: ANN201
    """(f, t) from an .npz file; bad files raise InvalidArgument."""
    import zipfile

    import numpy as np

    if not os.path.isfile(path):
        raise InvalidArgument(f"{path}: no such file")
    try:
        obj = np.load(path, allow_pickle=False)
        if isinstance(obj, np.ndarray):  # a plain .npy file: the contributions alone
            return obj, None
        with obj as z:
            keys = list(z.keys())
            key = "f" if "f" in keys else "contributions" if "contributions" in keys else None
            if key is None:
                arrays = [k for k in keys if k != "t"]
                if len(arrays) != 1:
                    raise InvalidArgument(f"{path}: expected an array 'f' (or 'contributions'); found {keys[:8]}")
                key = arrays[0]
            f = np.array(z[key])
            t = np.array(z["t"]) if "t" in keys else None
    except InvalidArgument:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as err:
        raise InvalidArgument(f"{path}: not a readable .npz file without pickles ({err})") from None
    return f, t


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from nncert.constructions.batch_design import MAX_ENUM_P, enumerate_extremes, local_search
    from nncert.verify import rbm_design as rd

    t0 = time.perf_counter()
    f, t = load_contributions(args.contributions)
    F, tt = rd.check_contributions(f, t)
    T, N, p, d = F.shape
    if args.r:
        try:
            rs = [int(x) for x in args.r.split(",") if x.strip()]
        except ValueError:
            raise InvalidArgument(f"--r {args.r!r}: expected integers like 2,3") from None
    else:
        rs = [r for r in range(2, p) if p % r == 0] or [1]
    for r in rs:
        if r < 1 or p % r:
            raise InvalidArgument(f"--r: {r} does not divide p={p}")
    if args.restarts < 1 or args.draws < 2:
        raise InvalidArgument("--restarts must be >= 1 and --draws >= 2")
    exact = T * N * p * p * d <= rd.MAX_EXACT_WORK
    Gf = rd.gram_float(F, tt, centred=True)
    Hf = rd.gram_float(F, tt, centred=False)
    G = rd.gram_exact(F, tt, centred=True) if exact else None
    trG, trH = float(np.trace(Gf)), float(np.trace(Hf))
    print(f"contributions: T={T}, N={N}, p={p}, d={d}; G {'exact' if exact else 'float64'}; tr G = {trG:.6g}, "
          f"tr H = {trH:.6g}, sum G = {float(Gf.sum()):.2e}")
    rows = []
    for r in rs:
        n = p // r
        q = Fraction(r, p)
        lam_b = float((1 - q) / q) * trH
        lam_u = float(rd.lambda_uniform_exact(G, r)) if exact else (0.0 if r == p else p * (p - r) / (r * (p - 1)) * trG)
        row = {"r": r, "bernoulli_q=r/p": lam_b, "uniform": lam_u}
        if p <= MAX_ENUM_P and exact:
            res = enumerate_extremes(G, r)
            row.update({"method": f"exact enumeration ({res['count']} partitions)",
                        "optimal": n * float(res["min_value"]), "adversarial": n * float(res["max_value"]),
                        "random_partition_mean": n * res["mean_float"], "optimal_blocks": res["min_blocks"],
                        "adversarial_blocks": res["max_blocks"], "lower_bound": n * float(res["min_value"])})
        else:
            rng = np.random.default_rng(args.seed)
            lo_b, lo_v = local_search(Gf, r, rng, restarts=args.restarts)
            hi_b, hi_v = local_search(Gf, r, rng, restarts=args.restarts, maximize=True)
            lb_spec = rd.spectral_lower_bound(Gf, r)
            lb_row = float(rd.row_lower_bound_exact(G, r)) if exact else None
            lb = max(lb_spec, lb_row) if lb_row is not None else lb_spec
            row.update({"method": f"local search ({args.restarts} restarts, seed {args.seed}); random mean = uniform "
                                  "(theorem)",
                        "optimal": n * lo_v, "adversarial": n * hi_v, "random_partition_mean": lam_u,
                        "optimal_blocks": lo_b, "adversarial_blocks": hi_b, "lower_bound": n * lb})
        rows.append(row)
    for row in rows:
        r = row["r"]
        gap = row["optimal"] - row["lower_bound"]
        print(f"r={r}: Lambda  bernoulli(q={r}/{p}) {row['bernoulli_q=r/p']:.6g} | uniform {row['uniform']:.6g} | "
              f"partitions: optimal {row['optimal']:.6g}, random mean {row['random_partition_mean']:.6g}, "
              f"adversarial {row['adversarial']:.6g}  [{row['method']}]")
        print(f"      optimal blocks {_blocks(row['optimal_blocks'])}; adversarial {_blocks(row['adversarial_blocks'])}; "
              f"lower bound {row['lower_bound']:.6g} (gap {gap:.3g})")
    os.makedirs(args.out, exist_ok=True)
    csv_path = os.path.join(args.out, "design.csv")
    with open(csv_path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["r", "lambda_bernoulli_q_r_over_p", "lambda_uniform", "lambda_optimal", "lambda_random_mean",
                    "lambda_adversarial", "lower_bound", "method", "optimal_blocks", "adversarial_blocks"])
        for row in rows:
            w.writerow([row["r"], repr(row["bernoulli_q=r/p"]), repr(row["uniform"]), repr(row["optimal"]),
                        repr(row["random_partition_mean"]), repr(row["adversarial"]), repr(row["lower_bound"]),
                        row["method"], _blocks(row["optimal_blocks"]), _blocks(row["adversarial_blocks"])])
    print(f"table written to {csv_path}")
    code = 0
    if not args.no_cert:
        from nncert.proofs import check_certificate
        from nncert.proofs.claims import p2_batch_design

        if p <= 10 and F.size <= p2_batch_design.MAX_VALUES:
            cert = p2_batch_design.certify(F, tt, tuple(rs), seed=args.seed, draws=args.draws)
            path = os.path.join(args.out, "batch_design.cert.json")
            cert.save(path)
            v = check_certificate(cert)
            print(f"{v.status.value:<8} P2.batch_design certificate -> {path}")
            code = 0 if v.holds else 1
        else:
            print("no certificate: P2.batch_design certificates need p <= 10 and at most "
                  f"{p2_batch_design.MAX_VALUES} values")
    print(f"seconds: {time.perf_counter() - t0:.2f}")
    return code


def _blocks(blocks) -> str:  # noqa: ANN001
    return "{" + ",".join("".join(map(str, b)) if len(blocks) and max(max(b) for b in blocks) < 10
                          else "(" + " ".join(map(str, b)) + ")" for b in blocks) + "}"
