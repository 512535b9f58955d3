"""``nncert check FILE|DIR [--data DATA]``: re-verify certificates with the trusted checker.

Exit code: 0 every claim holds, 1 some claim is refuted, 3 some claim is unknown (none refuted),
2 invalid input (unreadable or malformed certificate, data that cannot be read).
This path imports nothing from ``nncert.constructions`` and needs no solver.
"""

from __future__ import annotations

import argparse
import os

from nncert.core import EXIT_CODE, Certificate, Status


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="re-verify a certificate (or a directory of them) with the small trusted checker",
        description="Re-derive every claim of a certificate from its contents alone; one line per claim part. "
        "Exit 0: all hold; 1: some refuted; 3: some unknown; 2: invalid input.",
    )
    p.add_argument("path", help="certificate JSON file, or a directory: every *.json in it except index.json")
    p.add_argument("--data", default=None, help="data set for certificates written with --no-embed")
    p.add_argument("--label-column", default=None, help="label column of --data (default: last)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nncert.data import load
    from nncert.errors import InvalidCertificate
    from nncert.proofs import check_certificate

    context = {}
    if args.data is not None:
        context["data"] = load(args.data, args.label_column)
    if os.path.isdir(args.path):
        files = sorted(f for f in os.listdir(args.path) if f.endswith(".json") and f != "index.json")
        if not files:
            raise InvalidCertificate(f"{args.path}: no certificate files in the directory")
        paths = [os.path.join(args.path, f) for f in files]
    else:
        paths = [args.path]
    worst = Status.HOLDS
    for path in paths:
        cert = Certificate.load(path)
        verdict = check_certificate(cert, **context)
        if len(paths) > 1:
            print(f"== {path}")
        print(verdict.summary())
        if verdict.status is Status.REFUTED or (verdict.status is Status.UNKNOWN and worst is Status.HOLDS):
            worst = verdict.status
    return EXIT_CODE[worst]
