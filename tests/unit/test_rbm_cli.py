"""CLI tests for ``nncert rbm rates|tv|train|calibrate|demo`` (tiny sizes) and their bad-input handling."""

import os

import pytest

from nncert.cli.main import main


def _files(d, names):
    for n in names:
        path = os.path.join(d, n)
        assert os.path.getsize(path) > 0, n


def test_rates_tiny_run_writes_outputs_and_certificate_checks(tmp_path, capsys):
    out = str(tmp_path / "r")
    code = main(["rbm", "rates", "--p", "6", "--points", "4", "--schedules", "8", "--hs", "1/2,1/4,1/8",
                 "--schemes", "uniform:2,partition:3", "--sub", "2", "--jobs", "1", "--out", out])
    assert code in (0, 3)  # statistical parts may be UNKNOWN at this size; never refuted
    _files(out, ["rates.png", "rates.csv", "slopes.csv", "constant_check.csv", "trajectory_rate.cert.json"])
    text = capsys.readouterr().out
    assert "slope sup_t E" in text and "T h Var" in text
    assert main(["check", os.path.join(out, "trajectory_rate.cert.json")]) in (0, 3)


def test_tv_gaussian_only(tmp_path):
    out = str(tmp_path / "t")
    assert main(["rbm", "tv", "--no-particles", "--hs", "1/2,1/4,1/8,1/16", "--out", out]) == 0
    _files(out, ["tv.png", "tv_gaussian.csv", "tv_rate.cert.json"])
    assert main(["check", os.path.join(out, "tv_rate.cert.json")]) == 0


@pytest.mark.parametrize("argv", [
    ["rbm", "rates", "--hs", "1/3,1/7", "--out", "X"],
    ["rbm", "rates", "--hs", "0.3,0.1", "--out", "X"],
    ["rbm", "rates", "--schemes", "uniform:99", "--out", "X"],
    ["rbm", "rates", "--schemes", "wat", "--out", "X"],
    ["rbm", "rates", "--dask", "nonsense", "--out", "X"],
    ["rbm", "rates", "--schedules", "1", "--out", "X"],
    ["rbm", "rates", "--hs", "2^-1..2^-40", "--out", "X"],
    ["rbm", "tv", "--hs", "nan,1/2", "--no-particles", "--out", "X"],
    ["rbm", "train", "--dt", "1/7", "--hs", "1/2,1/4", "--out", "X"],
    ["rbm", "calibrate", "--gamma", "2/3", "--out", "X"],
    ["rbm", "calibrate", "--eps", "-1", "--out", "X"],
    ["rbm", "demo", "--h", "1/3", "--out", "X"],
])
def test_bad_input_exits_2_with_one_line(argv, tmp_path, capsys):
    argv = [str(tmp_path / a) if a == "X" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
