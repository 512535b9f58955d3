"""``nncert experiment ...``: sub-commands in ``nncert/cli/experiment_<name>.py`` (auto-discovered)."""

from __future__ import annotations

import argparse

from nncert.cli._group import register_group


def register(sub: argparse._SubParsersAction) -> None:
    register_group(sub, "experiment", "experiments that reproduce the papers' measurements (plots + CSV)")
