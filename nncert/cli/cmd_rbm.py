"""``nncert rbm ...``: a group of sub-commands, one module each: ``nncert/cli/rbm_<name>.py`` with
``register(subparsers)`` (auto-discovered, like the top-level commands)."""

from __future__ import annotations

HELP = "random-batch (continuous-time dropout) proofs, design and experiments"

import argparse
import importlib
import pkgutil


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rbm", help=HELP, description=HELP)
    inner = p.add_subparsers(dest="rbm_command", metavar="COMMAND", parser_class=type(p))
    import nncert.cli as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("rbm_"):
            importlib.import_module(f"nncert.cli.{info.name}").register(inner)
    p.set_defaults(run=lambda args: (p.print_help(), 2)[1])
