"""``nncert rbm ...``: sub-commands in ``nncert/cli/rbm_<name>.py`` (auto-discovered)."""

from __future__ import annotations

import argparse

from nncert.cli._group import register_group


def register(sub: argparse._SubParsersAction) -> None:
    register_group(sub, "rbm", "random-batch (continuous-time dropout) proofs, design and experiments")
