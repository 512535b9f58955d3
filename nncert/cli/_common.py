"""Small helpers shared by CLI commands."""

from __future__ import annotations

import os


def data_stem(spec: str) -> str:
    """Default output name for a DATA argument: ``iris`` -> ``iris``, ``dir/my.csv.gz`` -> ``my``."""
    base = os.path.basename(spec)
    for ext in (".gz", ".csv", ".txt"):
        if base.endswith(ext):
            base = base[: -len(ext)]
    return base or "data"
