"""Shared output helpers of the ``nncert rbm`` experiment commands: argument parsing, CSV, log-log plots."""

from __future__ import annotations

import argparse
import csv
import os
from fractions import Fraction
from typing import Any, Sequence

from nncert.core import parse_decimal
from nncert.errors import InvalidArgument


def add_exec_args(p: argparse.ArgumentParser) -> None:
    """``--jobs`` / ``--dask``."""
    p.add_argument("--jobs", type=int, default=0,
                   help="local worker processes (0 = one per core, at most 2; 1 = serial in this process)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run the sweep on Dask: a scheduler address (tcp://host:8786) or 'local' for a LocalCluster")


def h_grid(text: str) -> list[Fraction]:
    """``"1/2,1/4"`` or ``"2^-1..2^-6"`` -> exact list."""
    text = text.strip()
    if ".." in text:
        a, _, b = text.partition("..")
        try:
            ka, kb = int(a.split("^")[1]), int(b.split("^")[1])
        except (IndexError, ValueError):
            raise InvalidArgument(f"--hs {text!r}: expected a list like 1/2,1/4 or a range like 2^-1..2^-6") from None
        if not (ka < 0 and kb < 0 and kb <= ka and ka - kb <= 14):
            raise InvalidArgument(f"--hs {text!r}: need 2^-a..2^-b with 0 < a <= b <= a + 14")
        return [Fraction(1, 2 ** (-k)) for k in range(ka, kb - 1, -1)]
    hs = [parse_decimal(x, "--hs") for x in text.split(",") if x.strip()]
    if len(hs) < 2:
        raise InvalidArgument("--hs needs at least two values")
    return hs


def out_dir(path: str) -> str:
    """Create the output directory."""
    os.makedirs(path, exist_ok=True)
    return path


def write_csv(path: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Plain CSV."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def loglog_plot(path: str, series: list[dict[str, Any]], *, xlabel: str, ylabel: str, title: str,
                ref_slope: float, panels: list[str] | None = None) -> None:
    """Log-log plot: points (with CI bars), fitted line ``slope s`` and a dashed reference slope line.

    ``series``: dicts with ``x``, ``y``, optional ``lo``/``hi``, ``label``, ``slope``, ``intercept`` and
    ``panel`` (index into ``panels``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = panels or [""]
    fig, axes = plt.subplots(1, len(names), figsize=(6 * len(names), 4.6), squeeze=False)
    for k, ax in enumerate(axes[0]):
        mine = [s for s in series if s.get("panel", 0) == k]
        for i, s in enumerate(mine):
            x, y = np.asarray(s["x"], float), np.asarray(s["y"], float)
            col = f"C{i}"
            if "lo" in s:
                ax.errorbar(x, y, yerr=[y - np.asarray(s["lo"]), np.asarray(s["hi"]) - y], fmt="o", color=col, capsize=3,
                            label=f"{s['label']}")
            else:
                ax.plot(x, y, "o", color=col, label=s["label"])
            xs = np.array([x.min(), x.max()])
            ax.plot(xs, np.exp(s["intercept"]) * xs ** s["slope"], "-", color=col, lw=1,
                    label=f"fit slope {s['slope']:.3f}")
        if mine:
            allx = np.concatenate([np.asarray(s["x"], float) for s in mine])
            ally = np.concatenate([np.asarray(s["y"], float) for s in mine])
            xs = np.array([allx.min(), allx.max()])
            anchor = np.exp(np.mean(np.log(ally)) - ref_slope * np.mean(np.log(allx)))
            ax.plot(xs, anchor * xs ** ref_slope, "k--", lw=1.5, label=f"reference slope {ref_slope:g}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title}{': ' + names[k] if names[k] else ''}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
