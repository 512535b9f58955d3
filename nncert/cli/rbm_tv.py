"""``nncert rbm tv``: distribution-level error vs h: exact Gaussian case and flow-matching particles."""

from __future__ import annotations

import argparse
import os
import time

from nncert.cli._progress import Progress
from nncert.cli._rbm_out import h_grid, loglog_plot, out_dir, write_csv


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tv",
        help="E TV(rho_T, rho^h_T) vs h: exact Gaussian case (slope 1/2) and flow-matching particle pushforward",
        description="(a) scalar linear field with Gaussian rho_0: E TV over the exactly enumerated law of the schedule, "
        "slope and h^(1/2) asymptote; (b) unless --no-particles: flow-matching field (trained here, seeded), particle "
        "pushforward with histogram TV = L1/2, bin diagnostics, noise floor and coupling RMS (a W2 upper bound). "
        "Writes tv.png, tv_gaussian.csv, tv_particles.csv, tv_rate.cert.json to --out.",
    )
    p.add_argument("--quick", action="store_true", help="smaller particle run (2000 particles, 8 schedules)")
    p.add_argument("--hs", default="2^-1..2^-6", help="h grid of the Gaussian case (default 2^-1..2^-6)")
    p.add_argument("--particle-hs", default="2^-2..2^-6", help="h grid of the particle case (default 2^-2..2^-6)")
    p.add_argument("--no-particles", action="store_true", help="only the exact Gaussian case")
    p.add_argument("--particles", type=int, default=None, help="particles (default 4000; quick 2000)")
    p.add_argument("--schedules", type=int, default=None, help="schedules per h, particle case (default 16; quick 8)")
    p.add_argument("--bins", type=int, default=20, help="histogram bins per axis (default 20)")
    p.add_argument("--scheme", default="uniform:40", help="particle-case scheme on p=48 neurons (default uniform:40)")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--out", default="rbm_tv_out", help="output directory (default rbm_tv_out)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nncert.core import EXIT_CODE, fmt
    from nncert.errors import InvalidArgument
    from nncert.proofs.claims import p2_tv_rate as claim
    from nncert.proofs.claims._rbm_common import fl

    t0 = time.perf_counter()
    out = out_dir(args.out)
    hs = h_grid(args.hs)
    series, particle, prow = [], None, []
    if not args.no_particles:
        from nncert.constructions.rbm_experiments import parse_scheme
        from nncert.constructions.rbm_flow import particle_tv, train_flow

        n_part = args.particles or (2000 if args.quick else 4000)
        n_sch = args.schedules or (8 if args.quick else 16)
        if n_part < 10 or n_sch < 1 or args.bins < 2:
            raise InvalidArgument("--particles >= 10, --schedules >= 1 and --bins >= 2 are required")
        with Progress("rbm tv") as prog:
            prog.update("training flow field", 0.1)
            fl_res = train_flow(48, steps=2500, batch=512, lr=0.02, seed=args.seed)
            prog.update("particles", 0.4)
            pt = particle_tv(fl_res.field, parse_scheme(args.scheme, 48), h_grid(args.particle_hs), n_particles=n_part,
                             n_schedules=n_sch, bins=args.bins, sub=2, seed=args.seed)
        particle = {"h_grid": [fmt(r["h"]) for r in pt["rows"]], "tv_hist": [fl(r["tv"]) for r in pt["rows"]],
                    "l1_hist": [fl(2 * r["tv"]) for r in pt["rows"]], "coupling_rms": [fl(r["rms"]) for r in pt["rows"]],
                    "bins": str(pt["bins"]), "bin_width": [fl(x) for x in pt["bin_width"]], "n_particles": str(n_part),
                    "noise_floor": fl(pt["noise_floor"]), "slope_tv": fl(pt["slope_tv"]), "slope_rms": fl(pt["slope_rms"])}
    cert = claim.certify(hs=hs, particle=particle)
    verdict = claim.check(cert)
    g = cert.witness["gaussian"]
    print(f"(a) exact Gaussian case: x' = sum_i lam_i x, lam = {g['lam']}, scheme {g['scheme']['scheme']} "
          f"q={g['scheme'].get('q', '-')}, rho_0 = N({g['mu0']}, {g['sigma0']}^2); TV = L1/2")
    print(f"{'h':>8}{'E TV':>14}{'asymptote':>14}{'ratio':>9}")
    import math

    grow = []
    for r in g["rows"]:
        e, a = float(r["E_tv"]), float(r["asymptote"])
        print(f"{r['h']:>8}{e:>14.6g}{a:>14.6g}{e / a:>9.4f}")
        grow.append([r["h"], float(eval_h(r["h"])), e, 2 * e, a, e / a])
    s = float(cert.params["slope"])
    print(f"  slope of E TV vs h: {s:.4f} (expected 1/2); Var = {g['var_exact']}, c(kappa) = {float(g['c_kappa']):.6f}")
    write_csv(os.path.join(out, "tv_gaussian.csv"), ["h", "h_float", "E_TV", "E_L1", "asymptote", "ratio"], grow)
    xs = [x[1] for x in grow]
    icpt = sum(math.log(x[2]) - s * math.log(x[1]) for x in grow) / len(grow)
    series.append({"x": xs, "y": [x[2] for x in grow], "label": "exact Gaussian E TV", "slope": s, "intercept": icpt,
                   "panel": 0})
    panels = ["exact Gaussian case"]
    if particle is not None:
        print(f"(b) flow-matching particles: p=48, scheme {args.scheme}, {particle['n_particles']} particles, "
              f"{args.schedules or (8 if args.quick else 16)} schedules per h, {particle['bins']} bins per axis "
              f"(bin width {float(particle['bin_width'][0]):.3f} x {float(particle['bin_width'][1]):.3f}) + overflow cell")
        print(f"{'h':>8}{'hist TV':>12}{'L1':>12}{'coupling RMS (W2 bound)':>26}")
        for h, tv, rms in zip(particle["h_grid"], particle["tv_hist"], particle["coupling_rms"]):
            print(f"{h:>8}{float(tv):>12.5g}{2 * float(tv):>12.5g}{float(rms):>26.5g}")
            prow.append([h, float(eval_h(h)), float(tv), 2 * float(tv), float(rms)])
        print(f"  histogram noise floor (two halves of the full-model cloud): TV ~ {float(particle['noise_floor']):.4f}")
        print(f"  slopes: histogram TV {float(particle['slope_tv']):.3f}, coupling RMS {float(particle['slope_rms']):.3f} "
              "(expected 1/2; the histogram TV is biased by binning and floored by sampling noise)")
        write_csv(os.path.join(out, "tv_particles.csv"), ["h", "h_float", "hist_TV", "hist_L1", "coupling_RMS"], prow)
        hx = [r[1] for r in prow]
        for key, col, lab in (("slope_tv", 2, "histogram TV"), ("slope_rms", 4, "coupling RMS (W2 bound)")):
            sl = float(particle[key])
            ic = sum(math.log(r[col]) - sl * math.log(r[1]) for r in prow) / len(prow)
            series.append({"x": hx, "y": [r[col] for r in prow], "label": lab, "slope": sl, "intercept": ic, "panel": 1})
        panels.append("flow-matching particles")
    loglog_plot(os.path.join(out, "tv.png"), series, xlabel="switching step h", ylabel="error (TV or RMS)",
                title="distribution-level error", ref_slope=0.5, panels=panels)
    path = os.path.join(out, "tv_rate.cert.json")
    cert.save(path)
    print(verdict.summary())
    print(f"wrote {out}/tv.png, tv_gaussian.csv{', tv_particles.csv' if particle else ''}, tv_rate.cert.json "
          f"({time.perf_counter() - t0:.1f} s)")
    return EXIT_CODE[verdict.status]


def eval_h(text: str) -> float:
    """Float of an exact h text."""
    from nncert.core import parse_exact

    return float(parse_exact(text))
