"""A command group (``nncert experiment ...``, ``nncert rbm ...``) whose sub-commands are auto-discovered
from ``nncert/cli/<group>_<name>.py`` modules, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def register_group(sub: argparse._SubParsersAction, name: str, help_text: str) -> None:
    """Add the group parser ``name`` and every ``<name>_*.py`` sub-command module under it."""
    p = sub.add_parser(name, help=help_text, description=help_text)
    inner = p.add_subparsers(dest=f"{name}_command", metavar="COMMAND", parser_class=type(p))
    import nncert.cli as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith(f"{name}_"):
            importlib.import_module(f"nncert.cli.{info.name}").register(inner)
    p.set_defaults(run=lambda args: (p.print_help(), 2)[1])
