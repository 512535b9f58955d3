"""``nncert rbm demo``: two-circles classification and flow matching, full model vs random batch, with plots."""

from __future__ import annotations

import argparse
import os
import time

from nncert.cli._progress import Progress
from nncert.cli._rbm_out import out_dir, write_csv


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="demos on the design note's data: two-circles classification and flow matching, full vs random batch",
        description="(1) Two circles: train the classification field (piecewise-constant controls, Euler, discrete "
        "adjoint) with the full field and with a fixed random-batch schedule from the same start; report accuracy "
        "(classes by the nearest target) on training and fresh test points, and plot the decision regions. "
        "(2) Flow matching: train the flow field, push rho_0 particles with the full field and with random batches, "
        "plot samples and densities. Writes demo_classification.png, demo_flow.png and demo.csv to --out.",
    )
    p.add_argument("--quick", action="store_true", help="fewer iterations and particles")
    p.add_argument("--p", type=int, default=24, help="neurons of the classification field (default 24)")
    p.add_argument("--scheme", default="uniform:12", help="batch scheme for the classification field (default uniform:12)")
    p.add_argument("--flow-scheme", default="uniform:40", help="batch scheme for the flow field, p=48 (default uniform:40)")
    p.add_argument("--h", default="1/16", help="switching step h (default 1/16)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="rbm_demo_out", help="output directory")
    p.set_defaults(run=run)


def _classify(Z, targets):  # noqa: ANN001, ANN202
    import numpy as np

    d = np.sum((Z[..., None, :] - targets) ** 2, axis=-1)
    return np.where(np.argmin(d, axis=-1) == 0, -1, 1)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from nncert.constructions.rbm_experiments import parse_scheme, schedule_rng, two_circles
    from nncert.constructions.rbm_fields import ClassificationField, PiecewiseConstant
    from nncert.constructions.rbm_flow import particle_tv, sample_target, train_flow
    from nncert.constructions.rbm_training import (
        Problem, adam, random_controls, schedule_weights,
    )
    from nncert.core import parse_decimal
    from nncert.errors import InvalidArgument
    from nncert.verify.rbm_dynamics import integrate, make_grid

    t0 = time.perf_counter()
    out = out_dir(args.out)
    if args.p < 2:
        raise InvalidArgument("--p must be >= 2")
    h = parse_decimal(args.h, "--h")
    dt = min(h, parse_decimal("1/32"))
    make_grid(1, h, dt)
    iters = 60 if args.quick else 300
    targets = np.array([[-1.0, 0.0], [0.0, 1.0]])
    X, lab, Y = two_circles(64, seed=args.seed)
    Xt, labt, _ = two_circles(200, seed=args.seed + 1)
    prob = Problem(X, Y, dt=dt, L=4)
    u0 = random_controls(args.p, 2, 4, seed=args.seed)
    sch = parse_scheme(args.scheme, args.p)
    g = make_grid(1, h, dt)
    masks = sch.sample_many(schedule_rng(args.seed, 800), g.n_switch)
    rows = []
    results = {}
    with Progress("rbm demo") as prog:
        for k, (name, C) in enumerate((("full", schedule_weights(prob, args.p, None, None, h)),
                                       ("random batch", schedule_weights(prob, args.p, masks[None], sch.pi(), h)))):
            prog.update(f"training ({name})", 0.1 + 0.3 * k)
            u, Jh = adam(prob, u0, C, iters=iters, lr=0.05)
            J = [Jh[-1]]
            fld = ClassificationField(PiecewiseConstant(u.A, u.b, u.W), prob.act)
            res = {}
            for split, pts, labels in (("train", X, lab), ("test", Xt, labt)):
                full_out = integrate(fld, pts, g, "euler", record_every=1).states[-1, 0]
                rb_out = integrate(fld, pts, g, "euler", masks, sch.pi(), record_every=1).states[-1, 0]
                res[split] = (float(np.mean(_classify(full_out, targets) == labels)),
                              float(np.mean(_classify(rb_out, targets) == labels)))
            results[name] = (fld, J[0], res)
            rows.append([name, J[0], *res["train"], *res["test"]])
        print(f"two circles: p={args.p}, scheme {args.scheme}, h={args.h}, Euler dt={dt}, {iters} Adam steps (adjoint gradients) from "
              f"the same start; accuracy by nearest target")
        print(f"{'trained with':<14}{'final J':>10}{'train acc (full inf)':>22}{'train acc (rb inf)':>20}"
              f"{'test acc (full inf)':>21}{'test acc (rb inf)':>19}")
        for r in rows:
            print(f"{r[0]:<14}{r[1]:>10.4f}{r[2]:>22.3f}{r[3]:>20.3f}{r[4]:>21.3f}{r[5]:>19.3f}")
        _plot_regions(os.path.join(out, "demo_classification.png"), results, X, lab, g, masks, sch, targets)
        prog.update("flow matching", 0.7)
        fr = train_flow(48, steps=600 if args.quick else 2500, batch=512, lr=0.02, seed=args.seed)
        pt = particle_tv(fr.field, parse_scheme(args.flow_scheme, 48), [h], n_particles=1000 if args.quick else 4000,
                         n_schedules=1, bins=20, sub=2, seed=args.seed)
        tgt = sample_target(np.random.default_rng(args.seed), 4000)
        r0 = pt["rows"][0]
        print(f"flow matching: p=48, final training loss {np.mean(fr.losses[-50:]):.4f}; pushforward at h={args.h}: "
              f"histogram TV(full, random batch) = {r0['tv']:.4f}, coupling RMS = {r0['rms']:.4f}; "
              f"mean full {np.round(r0['full'].mean(0), 3).tolist()} vs target {np.round(tgt.mean(0), 3).tolist()}")
        rows.append(["flow", float(np.mean(fr.losses[-50:])), r0["tv"], r0["rms"], "", ""])
        _plot_flow(os.path.join(out, "demo_flow.png"), pt["x0"], r0["full"], r0["rb"], tgt, args.flow_scheme)
    write_csv(os.path.join(out, "demo.csv"),
              ["case", "final_J_or_loss", "train_acc_full_or_tv", "train_acc_rb_or_rms", "test_acc_full", "test_acc_rb"], rows)
    print(f"wrote {out}/demo_classification.png, demo_flow.png, demo.csv ({time.perf_counter() - t0:.1f} s)")
    return 0


def _plot_regions(path, results, X, lab, g, masks, sch, targets):  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from nncert.verify.rbm_dynamics import integrate

    xs = np.linspace(-1.6, 1.6, 70)
    G = np.array(np.meshgrid(xs, xs)).reshape(2, -1).T
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    panels = [(name, fld, res, False) for name, (fld, J, res) in results.items()]
    panels.append(("random batch", results["random batch"][0], results["random batch"][2], True))
    for ax, (name, fld, res, rb_inf) in zip(axes, panels):
        if rb_inf:
            Z = integrate(fld, G, g, "euler", masks, sch.pi(), record_every=1).states[-1, 0]
        else:
            Z = integrate(fld, G, g, "euler", record_every=1).states[-1, 0]
        cls = _classify(Z, targets).reshape(len(xs), len(xs))
        ax.contourf(xs, xs, cls, levels=[-2, 0, 2], colors=["#f4c7c3", "#c6dbef"], alpha=0.8)
        ax.scatter(X[:, 0], X[:, 1], c=np.where(lab < 0, "C3", "C0"), s=14, edgecolors="k", linewidths=0.3)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        how = "its fixed schedule" if rb_inf else "full inference"
        ax.set_title(f"trained with {name}, {how}: test acc {res['test'][1 if rb_inf else 0]:.3f}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_flow(path, x0, full, rb, tgt, scheme):  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 4, figsize=(18, 4.4))
    axes[0].scatter(x0[:, 0], x0[:, 1], s=2, alpha=0.4, label="rho_0 samples")
    axes[0].scatter(full[:, 0], full[:, 1], s=2, alpha=0.4, label="full model at T")
    axes[0].scatter(rb[:, 0], rb[:, 1], s=2, alpha=0.4, label=f"random batch ({scheme}) at T")
    axes[0].legend(markerscale=4, fontsize=7)
    axes[0].set_title("samples")
    for ax, pts, name in ((axes[1], tgt, "target density"), (axes[2], full, "full model density"),
                          (axes[3], rb, "random-batch density")):
        ax.hist2d(pts[:, 0], pts[:, 1], bins=40, range=((2.5, 8.0), (-2.0, 4.5)), density=True)
        ax.set_title(name)
    for ax in axes:
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
