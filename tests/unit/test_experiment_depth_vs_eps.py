"""``nncert experiment depth-vs-eps`` on a small grid: CSV content checked against eps and the depth formula."""

from __future__ import annotations

import csv
from fractions import Fraction

from nncert.cli.main import main


def test_depth_vs_eps_small(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["experiment", "depth-vs-eps", "--out", str(out), "--functions", "abs,prod",
                 "--max-inv-eps-1d", "10", "--max-inv-eps-2d", "5", "--no-numeric"]) == 0
    assert (out / "depth_vs_eps.png").stat().st_size > 0
    with open(out / "depth_vs_eps.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["function"], r["eps"]) for r in rows] == [("abs", "1/5"), ("abs", "1/10"), ("prod", "1/5")]
    for r in rows:
        d, n = int(r["d"]), int(r["n"])
        assert float(r["certified_bound"]) <= float(Fraction(r["eps"]))
        assert int(r["width"]) <= d + 1
        # at least the quantization layers, at most the formula
        assert d * (n - 1) + 2 <= int(r["depth_hidden"]) <= int(r["depth_formula"])
    assert "fitted slope" in capsys.readouterr().out


def test_depth_vs_eps_bad_input(capsys, tmp_path):
    assert main(["experiment", "depth-vs-eps", "--out", str(tmp_path), "--functions", "tan"]) == 2
    assert "unknown" in capsys.readouterr().err
    assert main(["experiment", "depth-vs-eps", "--out", str(tmp_path), "--p", "inf"]) == 2
