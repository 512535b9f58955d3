"""``nncert experiment depth`` on a small grid: CSV content recomputed independently, bad input."""

from __future__ import annotations

import csv

from nncert.cli.main import main


def test_depth_experiment_small(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["experiment", "depth", "--out", str(out), "--max-n", "30", "--dims", "2", "--classes", "2,3",
                 "--no-real"]) == 0
    assert (out / "depth.png").stat().st_size > 0
    with open(out / "depth.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2 * 2 * 2  # two families x two class counts x N in (10, 30)
    for r in rows:
        n, m, depth, runs = int(r["N"]), int(r["M"]), int(r["depth_hidden"]), int(r["label_runs"])
        assert int(r["bound_2N+4M-1"]) == 2 * n + 4 * m - 1
        assert runs <= depth <= min(2 * runs, n) and r["exact_check"] == "HOLDS"
        assert int(r["affine_maps"]) == depth + 1


def test_depth_experiment_bad_input(tmp_path, capsys):
    assert main(["experiment", "depth", "--out", str(tmp_path), "--max-n", "5"]) == 2
    assert "--max-n" in capsys.readouterr().err
    assert main(["experiment", "depth", "--out", str(tmp_path), "--dims", "two"]) == 2
