"""The ``nncert`` command: a thin layer over the library.

Sub-commands live in ``nncert/cli/cmd_*.py``; each defines ``register(subparsers)`` which adds its
parser and sets ``run=function(args) -> int``. Any :class:`~nncert.errors.NncertError` becomes one
line ``error: ...`` on stderr and exit code 2; no traceback reaches the user
(``NNCERT_DEBUG=1`` shows it for internal errors).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from nncert.errors import NncertError

__all__ = ["main", "entry", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """Parser with every discovered sub-command."""
    from nncert import __version__

    parser = _Parser(prog="nncert", description="Exact certificates for theorems about neural networks.")
    parser.add_argument("--version", action="version", version=f"nncert {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    import nncert.cli as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"nncert.cli.{info.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # usage error (already printed as one line) or --help / --version
        return int(exit_.code or 0)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except NncertError as err:
        print(f"error: {str(err).splitlines()[0] if str(err) else type(err).__name__}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except (OSError, MemoryError, RecursionError) as err:
        print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - last line of defence: one line, never a traceback
        if os.environ.get("NNCERT_DEBUG"):
            raise
        print(f"error: internal error ({type(err).__name__}: {err}); rerun with NNCERT_DEBUG=1 and report it",
              file=sys.stderr)
        return 70


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
