"""`nncert memorize` / `nncert check`: main job, exit codes, one-line errors for every bad input (issue 2, item 8)."""

import json
import os
import subprocess
import sys

import pytest

from nncert.cli.main import main


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_main_job_on_iris(tmp_path, capsys):
    out_path = str(tmp_path / "iris.cert.json")
    code, out, err = run(["memorize", "--out", out_path], capsys)
    assert code == 0, err
    table = dict(line.split(None, 1) if not line.startswith(("N (", "depth (", "2N", "max |", "merged"))
                 else (line[:22].strip(), line[22:].strip()) for line in out.splitlines() if line.strip())
    assert table["width"] == "2"
    depth = int(table["depth (hidden layers)"].split()[0])
    assert depth <= 309 and table["2N+4M-1"] == "309" and table["N (distinct)"] == "149"
    code, out, err = run(["check", out_path], capsys)
    assert code == 0 and "HOLDS    P1.memorization.width2_depth (overall)" in out


def test_no_embed_needs_data_and_matches_it(tmp_path, capsys):
    data = write(tmp_path, "0,0,a\n1,1,a\n0,1,b\n1,0,b\n")
    cert = str(tmp_path / "xor.cert.json")
    assert run(["memorize", data, "--no-embed", "--out", cert], capsys)[0] == 0
    assert json.load(open(cert))["witness"]["data"] is None
    code, _, err = run(["check", cert], capsys)
    assert code == 2 and err.startswith("error: the certificate does not embed its data")
    assert run(["check", cert, "--data", data], capsys)[0] == 0
    other = write(tmp_path, "0,0,b\n1,1,a\n0,1,b\n1,0,b\n", "other.csv")
    code, out, _ = run(["check", cert, "--data", other], capsys)
    assert code == 1 and "REFUTED  data (supplied data does not match the recorded sha256)" in out


def test_one_class_gives_constant_network(tmp_path, capsys):
    data = write(tmp_path, "0,1,only\n2,3,only\n")
    cert = str(tmp_path / "c.json")
    code, out, _ = run(["memorize", data, "--out", cert], capsys)
    assert code == 0 and run(["check", cert], capsys)[0] == 0


@pytest.mark.parametrize(
    "text,message",
    [
        (None, "error: no such file: "),
        ("1,2,a\n1,x,b\n", "line 2, column 2: 'x' is not a number"),
        ("1,2,a\n1,nan,b\n", "line 2, column 2: 'nan' is not finite"),
        ("1,2,a\n1,-inf,b\n", "line 2, column 2: '-inf' is not finite"),
        ("", "empty data set"),
        ("1,2,a\n1,2\n", "line 2: 2 fields, expected 3 (ragged rows)"),
        ("1,2,a\n1.0,2,b\n", "line 1 and line 2 are the same point with different labels 'a' and 'b'"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, text, message):
    path = str(tmp_path / "missing.csv") if text is None else write(tmp_path, text)
    code, out, err = run(["memorize", path, "--out", str(tmp_path / "o.json")], capsys)
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o.json").exists()


def test_more_than_ten_million_points_needs_force(tmp_path, capsys):
    path = tmp_path / "big.csv"
    with open(path, "w") as fh:
        fh.write("0,a\n" * (10**7 + 2))  # more than 10^7 data rows even if line 1 were a header
    code, _, err = run(["memorize", str(path)], capsys)
    assert code == 2 and err.startswith("error: ") and "more than 10000000 rows; pass --force" in err
    assert err.count("\n") == 1


def test_usage_errors_and_help(capsys):
    code, _, err = run(["memorize", "--seed", "x"], capsys)
    assert code == 2 and err.startswith("error: argument --seed") and err.count("\n") == 1
    for cmd in (["--help"], ["memorize", "--help"], ["check", "--help"]):
        assert main(cmd) == 0
        assert "usage: nncert" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content,message",
    [
        ("{not json", "not valid JSON"),
        ('{"schema": "nncert-certificate/1"}', "certificate fields: missing"),
        ("[]", "certificate must be a JSON object"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_malformed_certificates_exit_2(tmp_path, capsys, content, message):
    p = tmp_path / "c.json"
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, _, err = run(["check", str(p)], capsys)
    assert code == 2 and message in err and err.count("\n") == 1


def test_unknown_claim_exit_2(tmp_path, capsys):
    from nncert.core import Certificate

    p = tmp_path / "c.json"
    p.write_text(Certificate("no.such.claim").dumps())
    code, _, err = run(["check", str(p)], capsys)
    assert code == 2 and "unknown claim 'no.such.claim'" in err


def test_real_process_prints_no_traceback(tmp_path):
    bad = write(tmp_path, "1,2,a\n1,2\n")
    # the console entry point, called through -c to be independent of PATH
    proc = subprocess.run([sys.executable, "-c", "from nncert.cli.main import entry; entry()", "memorize", bad],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_trusted_check_imports_no_construction_and_no_solver(tmp_path, capsys):
    cert = str(tmp_path / "x.json")
    assert run(["memorize", write(tmp_path, "0,0,a\n1,1,a\n0,1,b\n1,0,b\n"), "--out", cert], capsys)[0] == 0
    code = (
        "import sys\n"
        "from nncert.cli.main import main\n"
        f"rc = main(['check', {cert!r}])\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('nncert.constructions', 'z3', 'cvc5')))\n"
        "print('LOADED', bad)\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 0, proc.stderr
    assert "LOADED []" in proc.stdout
