"""``nncert robust MODEL --point P --radius R`` (or ``--box``, ``--prove``): exact box verification.

Exit code: 0 HOLDS (the class is constant on the box / the output bound holds), 1 REFUTED (an exact
counterexample point is printed), 3 UNKNOWN (solver timeout or disagreement), 2 invalid input.
"""

from __future__ import annotations

import argparse
import re

_PROVE = re.compile(r"\s*y(\d+)\s*(<=|>=|<|>)\s*(\S+)\s*")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "robust",
        help="exact local robustness / output bounds of a ReLU MLP on an L-infinity box (z3 + cvc5, exact checks)",
        description="Decide exactly whether MODEL's class is constant on the L-infinity ball of --radius around "
        "--point (or whether --prove 'y0 <= 1' holds on --box). Exact bound propagation first; then z3 with ReLU "
        "case splits, an unsat re-checked by cvc5; a counterexample is evaluated exactly before it is printed. "
        "Numbers are exact: '0.1' is 1/10, '1/3' is allowed. Exit 0 holds, 1 refuted, 3 unknown, 2 bad input.",
    )
    p.add_argument("model", help="model file: .onnx, .json (nncert network) or .npz")
    p.add_argument("--point", default=None, help="centre point, comma-separated, e.g. '0.5,1/3'")
    p.add_argument("--radius", default=None, help="L-infinity radius > 0, e.g. 1/100")
    p.add_argument("--box", default=None, help="box 'lo:hi,lo:hi,...' instead of --point/--radius")
    p.add_argument("--prove", default=None, help="output bound to prove on the box, e.g. 'y0 <= 1' (<=, <, >=, >)")
    p.add_argument("--label", type=int, default=None, help="class to verify (default: the class at the point)")
    p.add_argument("--mode", choices=("argmax", "threshold", "nearest"), default=None, help="decision rule")
    p.add_argument("--threshold", default=None, help="threshold for one-output networks (class 1 iff y > T)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per solver call (default 60)")
    p.add_argument("--no-cvc5", action="store_true", help="skip the cvc5 re-check of an unsat answer")
    p.add_argument("--solver-only", action="store_true",
                   help="skip candidate points and bound-propagation proofs: decide every property with z3 (+ cvc5)")
    p.add_argument("--vnnlib", default=None, help="also write the query as a VNN-LIB property file")
    p.add_argument("--float-weights", action="store_true", help="ignore exact weights embedded by nncert")
    p.set_defaults(run=run)


def _numbers(text: str, what: str) -> list:
    from nncert.core import parse_decimal
    from nncert.errors import InvalidArgument

    parts = [t for t in text.split(",")]
    if not text.strip() or any(not t.strip() for t in parts):
        raise InvalidArgument(f"{what}: expected comma-separated numbers, got {text[:60]!r}")
    return [parse_decimal(t, f"{what}[{j}]") for j, t in enumerate(parts)]


def run(args: argparse.Namespace) -> int:
    from nncert.core import EXIT_CODE, fmt, parse_decimal
    from nncert.errors import InvalidArgument
    from nncert.interop import load_model
    from nncert.verify.robustness import Box, bound_query, class_query, to_vnnlib, verify

    if args.timeout <= 0:
        raise InvalidArgument(f"--timeout must be > 0, got {args.timeout}")
    model = load_model(args.model, use_exact_metadata=not args.float_weights)
    net = model.network
    if args.box is not None:
        if args.point is not None or args.radius is not None:
            raise InvalidArgument("give either --box or --point/--radius, not both")
        lo, hi = [], []
        for j, part in enumerate(args.box.split(",")):
            if part.count(":") != 1:
                raise InvalidArgument(f"--box coordinate {j}: expected 'lo:hi', got {part[:40]!r}")
            a, b = part.split(":")
            lo.append(parse_decimal(a, f"--box[{j}] lower"))
            hi.append(parse_decimal(b, f"--box[{j}] upper"))
        box = Box(tuple(lo), tuple(hi))
    else:
        if args.point is None or args.radius is None:
            raise InvalidArgument("give --point and --radius (or --box)")
        box = Box.around(_numbers(args.point, "--point"), parse_decimal(args.radius, "--radius"))
    if box.dim != net.input_dim:
        raise InvalidArgument(f"the point/box has {box.dim} coordinates but the model takes {net.input_dim}")
    if args.prove is not None:
        m = _PROVE.fullmatch(args.prove)
        if not m:
            raise InvalidArgument(f"--prove: expected 'y<i> <op> <number>' with op in <=, <, >=, >; got {args.prove[:60]!r}")
        query = bound_query(box, int(m.group(1)), m.group(2), parse_decimal(m.group(3), "--prove bound"), net.output_dim)
    else:
        if args.point is None:
            raise InvalidArgument("class robustness needs --point/--radius; with --box use --prove")
        threshold = parse_decimal(args.threshold, "--threshold") if args.threshold is not None else None
        query = class_query(net, _numbers(args.point, "--point"), parse_decimal(args.radius, "--radius"),
                            mode=args.mode, threshold=threshold, label=args.label)
    print(f"model    {model.describe()}")
    print(f"query    {query.description}")
    if args.vnnlib:
        with open(args.vnnlib, "w", encoding="ascii") as fh:
            fh.write(to_vnnlib(query, net.output_dim))
        print(f"VNN-LIB  written to {args.vnnlib}")
    res = verify(net, query, timeout=args.timeout, cross_check=not args.no_cvc5,
                 try_points=not args.solver_only, bound_proofs=not args.solver_only)
    for line in res.methods:
        print(f"method   {line}")
    print(res.verdict.summary())
    if res.counterexample is not None:
        y = net(res.counterexample)
        print("counterexample x = (" + ", ".join(fmt(v) for v in res.counterexample) + ")")
        print("exact f(x)       = (" + ", ".join(fmt(v) for v in y) + ")")
    print(f"seconds  {res.seconds:.3f}")
    return EXIT_CODE[res.verdict.status]
