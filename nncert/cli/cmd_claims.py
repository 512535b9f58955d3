"""``nncert claims [--quick|--full] [--only PATTERN] [--out DIR] [--json]``: every claim of both papers.

Lists every claim of the catalogue (and every registered claim not in it), checks each registered one on
its bundled default inputs (untrusted ``quick``/``full`` run, then the trusted ``check`` of the
certificate as written to disk), prints one table and writes a bundle directory (one certificate per
claim, ``index.json``, ``report.md``) that ``nncert check DIR`` re-checks.
Exit code: 0 every listed claim holds, 1 some claim is refuted, 3 some claim is unknown (including
claims whose checker is not built yet), 2 invalid arguments.
"""

from __future__ import annotations

import argparse
import json
import sys

from nncert.core import EXIT_CODE


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "claims",
        help="check every theorem claim of both papers on bundled inputs; table + certificate bundle",
        description="Check every claim of both papers on its bundled default inputs and print one table "
        "(claim, statement, verdict, evidence, seconds, admitted). Claims whose checker is not built yet are "
        "listed as UNKNOWN with the reason; a claim whose dependency is refuted is NOT CHECKED. Writes a bundle "
        "directory (one certificate per claim, index.json, report.md); re-check it with 'nncert check DIR'. "
        "Exit 0: all hold; 1: some refuted; 3: some unknown; 2: invalid arguments.",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help="small bundled inputs, about 8 s per claim, <= 2 min in all (default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="the claims' full runs (longer; shows progress on a terminal)")
    p.add_argument("--only", default=None, metavar="PATTERN",
                   help="comma-separated claim-id patterns: globs ('P2.*') or substrings ('memorization'); "
                   "dependencies of the chosen claims are run too")
    p.add_argument("--out", default="claims-bundle", metavar="DIR",
                   help="bundle directory (default: ./claims-bundle; must be new, empty or an earlier bundle)")
    p.add_argument("--no-bundle", action="store_true", help="do not write a bundle directory")
    p.add_argument("--json", action="store_true", help="print the run as JSON (the index.json shape) instead of "
                   "the table")
    p.add_argument("--strict-deps", action="store_true",
                   help="leave a claim NOT CHECKED when any dependency is not HOLDS (default: only when a "
                   "dependency is refuted, not checked or errored)")
    p.set_defaults(run=run, mode="quick")


def run(args: argparse.Namespace) -> int:
    from nncert.cli._progress import Progress
    from nncert.proofs.run import run_claims, validate_bundle_dir

    if not args.no_bundle:
        validate_bundle_dir(args.out)  # fail before the run, not after it
    label = f"claims --{args.mode}"
    with Progress(label) as prog:
        result = run_claims(args.mode, args.only, strict_deps=args.strict_deps, progress=prog.update)
    if args.json:
        print(json.dumps(result.to_json(), sort_keys=True, indent=1))
    else:
        print(result.table())
    if not args.no_bundle:
        result.write_bundle(args.out)
        print(f"bundle written to {args.out} ({sum(r.certificate_text is not None for r in result.results)} "
              f"certificates, index.json, report.md); re-check with: nncert check {args.out}",
              file=sys.stderr if args.json else sys.stdout)
    return EXIT_CODE[result.status]
