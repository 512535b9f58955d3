"""``nncert rbm prove``: prove the random-batch identities (sympy), refute the negative controls, certify.

Prints one line per identity (HOLDS / REFUTED), the two negative controls (REFUTED with an exact
counterexample, as expected), optionally a user-supplied finite family (``--family``), the optimal-h
derivation and z3 proof, then writes certificates for ``P2.unbiasedness``, ``P2.variance_identities``,
``P2.bernoulli_dropout`` and ``P2.optimal_h`` to ``--out`` and re-checks each with its trusted checker.
Exit 0 when every identity holds, every control is refuted and every certificate checks; 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import time
from fractions import Fraction

from nncert.errors import InvalidArgument


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "prove",
        help="sympy proofs of unbiasedness and variance identities (p = 1..N), negative controls, optimal h (z3); "
             "writes certificates",
        description="Prove E F^h = F, the general HT variance identity and every specialized row for each scheme "
        "family and p = 1..N (exact enumeration, symbolic contributions and scheme parameters), the uniform-vs-"
        "Bernoulli condition, the balanced-partition average and the general-p derivation; refute the two biased "
        "negative controls with exact counterexamples; derive h* (sympy) and prove its property with z3. Writes "
        "certificates and re-checks them. Exit 0: all as expected; 1: something failed; 2: bad input.",
    )
    p.add_argument("--scheme", default="all",
                   help="comma list of families: full, bernoulli, uniform, partition, family, pick-one, drop-one, "
                        "all-subsets (default all)")
    p.add_argument("--p", type=int, default=8, help="largest number of neurons, 1..8 (default 8)")
    p.add_argument("--d", type=int, default=2, help="symbolic components per neuron, 1..4 (default 2)")
    p.add_argument("--family", action="append", default=[], metavar="B1|B2|...:Q1,Q2,...",
                   help="also prove/refute a finite family of your own, e.g. '0+1|2|0+1+2:1/2,1/4,1/4' "
                        "(batches as indices joined by '+', '-' for the empty batch); repeatable")
    p.add_argument("--out", default="rbm_prove_out", help="certificate directory (default rbm_prove_out)")
    p.add_argument("--no-certs", action="store_true", help="do not write certificates")
    p.add_argument("--quiet", action="store_true", help="print only failures and one summary line per group")
    p.add_argument("--z3-timeout", type=int, default=30, help="seconds per z3 query (default 30)")
    p.set_defaults(run=run)


def parse_family(text: str) -> tuple[list[list[int]], list[Fraction]]:
    """``'0+1|2:1/2,1/2'`` -> batches and exact probabilities (validated later by FiniteFamily)."""
    from nncert.core import parse_decimal

    if text.count(":") != 1:
        raise InvalidArgument(f"--family {text[:60]!r}: expected BATCHES:PROBS like 0+1|2:1/2,1/2")
    left, right = text.split(":")
    batches = []
    for part in left.split("|"):
        part = part.strip()
        if part in ("-", ""):
            batches.append([])
            continue
        try:
            batches.append([int(x) for x in part.split("+")])
        except ValueError:
            raise InvalidArgument(f"--family: batch {part[:30]!r} is not indices joined by '+'") from None
    probs = [parse_decimal(x, "--family probability") for x in right.split(",") if x.strip()]
    return batches, probs


def _line(v, quiet: bool) -> None:  # noqa: ANN001
    if quiet and v.holds:
        return
    text = f"{v.status.value:<8} {v.claim}"
    if v.evidence:
        text += f": {v.evidence}"
    if not v.holds and v.reason:
        text += f" ({v.reason})"
    if v.counterexample:
        text += "  counterexample: " + ", ".join(f"{k}={val}" for k, val in v.counterexample.items())
    print(text)


def run(args: argparse.Namespace) -> int:
    from nncert.cli._progress import Progress
    from nncert.constructions.batches import FiniteFamily
    from nncert.constructions.estimators import forced_nonempty_bernoulli, min_pi_scaling
    from nncert.core import Certificate, Status
    from nncert.proofs import check_certificate
    from nncert.verify import optimal_h as oh
    from nncert.verify import rbm_symbolic as rs

    if not 1 <= args.p <= 8:
        raise InvalidArgument(f"--p must be in 1..8 but got {args.p}")
    if not 1 <= args.d <= 4:
        raise InvalidArgument(f"--d must be in 1..4 but got {args.d}")
    if args.z3_timeout < 1:
        raise InvalidArgument("--z3-timeout must be >= 1")
    fams = rs.FAMILIES if args.scheme == "all" else tuple(x.strip() for x in args.scheme.split(",") if x.strip())
    for f in fams:
        if f not in rs.FAMILIES:
            raise InvalidArgument(f"--scheme: unknown family {f!r}; known: {', '.join(rs.FAMILIES)}")
    user = []
    for text in args.family:
        batches, probs = parse_family(text)
        p_user = max((i for b in batches for i in b), default=-1) + 1
        if p_user < 1:
            raise InvalidArgument(f"--family {text[:40]!r}: no indices")
        if p_user > 8:
            raise InvalidArgument(f"--family {text[:40]!r}: at most 8 neurons (indices 0..7)")
        user.append((text, FiniteFamily(p_user, batches, probs, name=f"family {text}")))
    t0 = time.perf_counter()
    ok = True
    with Progress("rbm prove") as prog:
        res = rs.prove_all(range(1, args.p + 1), families=fams, d=args.d, progress=prog.update)
    t_sym = time.perf_counter() - t0
    print(f"== identities (sympy, exact enumeration, p = 1..{args.p}, d = {args.d}) ==")
    for v in res:
        _line(v, args.quiet)
    n_bad = sum(not v.holds for v in res)
    ok &= n_bad == 0
    print(f"{len(res) - n_bad}/{len(res)} identities HOLD in {t_sym:.1f} s")
    print("== negative controls (expected: REFUTED) ==")
    for design in (forced_nonempty_bernoulli(1, Fraction(1, 2)), forced_nonempty_bernoulli(3, Fraction(1, 3)),
                   min_pi_scaling()):
        v = rs.check_design_unbiased(design.name, design.p, [(tuple(b), q) for b, q in design.law], design.weights,
                                     args.d)
        _line(v, False)
        ok &= v.status is Status.REFUTED
    if user:
        print("== your families ==")
        for text, s in user:
            law = [(tuple(sorted(b)), q) for b, q in s.enumerate_law()]
            for v in (rs.check_design_unbiased(s.name, s.p, law, [1 / x for x in s.pi()], args.d),
                      rs.check_design_variance(s.name, s.p, law, args.d)):
                _line(v, False)
                ok &= v.holds
    print("== optimal h ==")
    for v in oh.sympy_derivation():
        _line(v, args.quiet)
        ok &= v.holds
    zv, secs = oh.z3_proof(args.z3_timeout)
    for v in zv:
        _line(v, False)
        ok &= v.holds
    print(f"z3 seconds: {sum(float(s) for s in secs.values()):.2f}; default instance h* = "
          f"{oh.exact_h_star(Fraction(1, 20), Fraction(1, 50), Fraction(1, 2), Fraction(1, 4))}")
    if not args.no_certs:
        from nncert.proofs.claims import p2_bernoulli_dropout, p2_optimal_h, p2_unbiasedness, p2_variance_identities

        os.makedirs(args.out, exist_ok=True)
        fam_sel = None if args.scheme == "all" else fams
        certs = [
            ("unbiasedness", p2_unbiasedness.certify(args.p, d=args.d, families=fam_sel, symbolic_results=res)),
            ("variance_identities", p2_variance_identities.certify(args.p, d=args.d, families=fam_sel,
                                                                   symbolic_results=res)),
            ("bernoulli_dropout", p2_bernoulli_dropout.certify(min(args.p, 4), d=args.d)),
            ("optimal_h", p2_optimal_h.certify(timeout_s=args.z3_timeout)),
        ]
        print("== certificates (re-checked by the trusted checkers) ==")
        for name, cert in certs:
            path = os.path.join(args.out, f"{name}.cert.json")
            cert.save(path)
            v = check_certificate(Certificate.load(path))
            print(f"{v.status.value:<8} {cert.claim}  -> {path}")
            ok &= v.holds
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0 if ok else 1
