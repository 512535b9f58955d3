"""``nncert check FILE|DIR [--data DATA]``: re-verify certificates with the trusted checker.

Exit code: 0 every claim holds, 1 some claim is refuted, 3 some claim is unknown (none refuted),
2 invalid input (unreadable or malformed certificate, data that cannot be read).
This path imports nothing from ``nncert.constructions`` and needs no solver.

A directory with an ``index.json`` is a claims bundle (``nncert claims --out DIR``) and is checked by
:func:`nncert.proofs.bundle.check_bundle`: every certificate it lists (SHA-256 compared with the
index, then the trusted check, dependencies first), one line per claim; any certificate that is
missing, altered or malformed is named with its claim and gives exit code 2. A directory without an
index: every ``*.json`` in it is checked; a malformed file is named and gives exit code 2 after the
others have been checked.
"""

from __future__ import annotations

import argparse
import os
import sys

from nncert.core import EXIT_CODE, Certificate, Status


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="re-verify a certificate (or a directory / claims bundle of them) with the small trusted checker",
        description="Re-derive every claim of a certificate from its contents alone; one line per claim part. "
        "A directory with index.json is a claims bundle (nncert claims --out DIR): every listed certificate is "
        "compared with the index and re-checked. "
        "Exit 0: all hold; 1: some refuted; 3: some unknown; 2: invalid input (a bundle: some certificate "
        "missing, altered or malformed; it is named).",
    )
    p.add_argument("path", help="certificate JSON file, or a directory: a claims bundle (with index.json) or "
                   "every *.json in it")
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
        from nncert.proofs.bundle import check_bundle, is_bundle

        if is_bundle(args.path):
            result = check_bundle(args.path, **context)
            print(result.report())
            for row in result.invalid:
                print(f"error: {row.claim}: {row.invalid}", file=sys.stderr)
            return result.exit_code
        files = sorted(f for f in os.listdir(args.path) if f.endswith(".json") and f != "index.json")
        if not files:
            raise InvalidCertificate(f"{args.path}: no certificate files in the directory")
        paths = [os.path.join(args.path, f) for f in files]
    else:
        paths = [args.path]
    if len(paths) == 1:
        verdict = check_certificate(Certificate.load(paths[0]), **context)
        print(verdict.summary())
        return EXIT_CODE[verdict.status]
    worst = Status.HOLDS
    invalid = []
    for path in paths:
        print(f"== {path}")
        try:
            cert = Certificate.load(path)
            verdict = check_certificate(cert, **context)
        except InvalidCertificate as err:
            line = str(err).splitlines()[0] if str(err) else "invalid certificate"
            print(f"INVALID  {path}: {line}")
            invalid.append(path)
            continue
        print(verdict.summary())
        if verdict.status is Status.REFUTED or (verdict.status is Status.UNKNOWN and worst is Status.HOLDS):
            worst = verdict.status
    for path in invalid:
        print(f"error: {path}: invalid certificate", file=sys.stderr)
    return 2 if invalid else EXIT_CODE[worst]
