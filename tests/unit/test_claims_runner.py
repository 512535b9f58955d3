"""``nncert claims`` runner and ``nncert check DIR`` bundles: DAG order, failed dependencies, exploding
claims, every catalogue entry listed, bundle corruption named."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

import nncert.proofs as proofs
from nncert.cli.main import main
from nncert.core import Certificate, Status, Verdict
from nncert.errors import InvalidArgument, InvalidCertificate, NotProved
from nncert.proofs import Claim
from nncert.proofs.bundle import check_bundle
from nncert.proofs.catalogue import CATALOGUE, Entry
from nncert.proofs.run import certificate_filename, run_claims, select


# -- a toy claim family: "a + b == c", all arithmetic re-derived by check --------------------------------
def _toy(cid: str, a: int = 1, b: int = 2, c: int = 3, deps: tuple[str, ...] = (), calls: list | None = None,
         quick=None) -> Claim:  # noqa: ANN001
    def certify() -> Certificate:
        return Certificate(cid, {"a": str(a), "b": str(b), "c": str(c)}, {"sum": str(a + b)})

    def check(cert: Certificate, **_: object) -> Verdict:
        if calls is not None:
            calls.append(cid)
        p = cert.params
        if set(p) != {"a", "b", "c"} or not all(isinstance(v, str) and v.lstrip("-").isdigit() for v in p.values()):
            raise InvalidCertificate(f"{cid}: params must be integers a, b, c")
        total = int(p["a"]) + int(p["b"])
        if total == int(p["c"]):
            return Verdict(Status.HOLDS, cid, evidence=f"{p['a']} + {p['b']} == {p['c']}")
        return Verdict(Status.REFUTED, cid, reason=f"{p['a']} + {p['b']} = {total} != {p['c']}",
                       counterexample={"c": p["c"]})

    return Claim(cid, f"toy {cid}", "toy paper", certify, check, deps, quick=quick or certify)


def _boom() -> Certificate:
    raise ZeroDivisionError("the construction divided by zero")


def test_every_catalogue_entry_is_listed_even_with_nothing_registered():
    run = run_claims(claims={})
    assert [r.id for r in run.results] == [e.id for e in CATALOGUE]
    assert all(r.status is Status.UNKNOWN and r.state == "not built" for r in run.results)
    assert all("checker not built yet" in r.evidence for r in run.results)
    assert run.status is Status.UNKNOWN


def test_registered_claim_outside_the_catalogue_is_listed_too():
    run = run_claims(claims={"X.extra": _toy("X.extra")}, catalogue=[Entry("A", "a", "p")])
    rows = run.by_id()
    assert set(rows) == {"A", "X.extra"}
    assert rows["X.extra"].status is Status.HOLDS and not rows["X.extra"].in_catalogue
    assert rows["A"].state == "not built"


def test_dependencies_run_first_and_a_refuted_dependency_blocks_all_dependents():
    calls: list[str] = []
    claims = {
        "C": _toy("C", deps=("B",), calls=calls),
        "B": _toy("B", deps=("A",), calls=calls),
        "A": _toy("A", c=4, calls=calls),  # 1 + 2 != 4: refuted
        "D": _toy("D", calls=calls),
    }
    run = run_claims(claims=claims, catalogue=[])
    rows = run.by_id()
    assert rows["A"].status is Status.REFUTED
    for cid in ("B", "C"):
        assert rows[cid].status is Status.UNKNOWN and rows[cid].state == "not checked"
        assert rows[cid].label == "UNKNOWN (not checked)"
    assert "dependency A is REFUTED" in rows["B"].verdict.reason
    assert "dependency B" in rows["C"].verdict.reason
    assert rows["D"].status is Status.HOLDS
    assert calls == ["A", "D"]  # B, C never checked, never passed
    ids = [r.id for r in run.results]
    assert ids.index("A") < ids.index("B") < ids.index("C")


def test_catalogue_dependencies_count_even_when_the_claim_omits_them():
    cat = [Entry("A", "a", "p"), Entry("B", "b", "p", ("A",))]
    run = run_claims(claims={"A": _toy("A", c=0), "B": _toy("B")}, catalogue=cat)
    assert run.by_id()["B"].state == "not checked"


def test_unknown_dependency_does_not_block_by_default_but_does_when_strict():
    cat = [Entry("A", "a", "p"), Entry("B", "b", "p", ("A",))]
    run = run_claims(claims={"B": _toy("B")}, catalogue=cat)
    b = run.by_id()["B"]
    assert b.status is Status.HOLDS and any("dependency A is UNKNOWN" in n for n in b.notes)
    strict = run_claims(claims={"B": _toy("B")}, catalogue=cat, strict_deps=True)
    assert strict.by_id()["B"].state == "not checked"


def test_exploding_certify_is_unknown_with_the_reason_and_the_run_goes_on():
    claims = {"A": _toy("A", quick=_boom), "B": _toy("B", deps=("A",)), "C": _toy("C")}
    run = run_claims(claims=claims, catalogue=[])
    a, b, c = (run.by_id()[k] for k in "ABC")
    assert a.status is Status.UNKNOWN and a.state == "error"
    assert "ZeroDivisionError" in a.evidence and "divided by zero" in a.evidence
    assert a.certificate_text is None
    assert b.state == "not checked"
    assert c.status is Status.HOLDS


def test_exploding_check_and_wrong_return_values_are_unknown():
    def bad_check(cert, **_):  # noqa: ANN001, ANN202
        raise KeyError("witness")

    exploding = Claim("E", "e", "p", _toy("E").certify, bad_check, quick=_toy("E").certify)
    not_cert = Claim("N", "n", "p", lambda: 42, _toy("N").check, quick=lambda: 42)
    other = Claim("O", "o", "p", _toy("X").certify, _toy("O").check, quick=_toy("X").certify)
    run = run_claims(claims={"E": exploding, "N": not_cert, "O": other}, catalogue=[])
    rows = run.by_id()
    assert rows["E"].status is Status.UNKNOWN and "KeyError" in rows["E"].evidence
    assert rows["N"].status is Status.UNKNOWN and "not a Certificate" in rows["N"].evidence
    assert rows["O"].status is Status.UNKNOWN and "for claim 'X'" in rows["O"].evidence


def test_sys_exit_in_a_claim_does_not_end_the_run():
    def leaves() -> Certificate:
        raise SystemExit(4)

    run = run_claims(claims={"S": _toy("S", quick=leaves), "T": _toy("T")}, catalogue=[])
    assert run.by_id()["S"].status is Status.UNKNOWN and "SystemExit" in run.by_id()["S"].evidence
    assert run.by_id()["T"].status is Status.HOLDS


def test_not_proved_with_a_refuted_verdict_is_refuted():
    def refuting() -> Certificate:
        raise NotProved(Verdict(Status.REFUTED, "R", reason="no width-1 net", counterexample={"d": "2"}))

    run = run_claims(claims={"R": _toy("R", quick=refuting)}, catalogue=[])
    r = run.by_id()["R"]
    assert r.status is Status.REFUTED and "no width-1 net" in r.verdict.reason


def test_certificate_with_json_numbers_fails_the_on_disk_check():
    def numeric() -> Certificate:
        return Certificate("J", {"a": 1, "b": 2, "c": 3})

    r = run_claims(claims={"J": _toy("J", quick=numeric)}, catalogue=[]).by_id()["J"]
    assert r.status is Status.UNKNOWN and "JSON number" in r.evidence


def test_cycle_is_not_checked_and_does_not_stop_the_rest():
    claims = {"A": _toy("A", deps=("B",)), "B": _toy("B", deps=("A",)), "C": _toy("C")}
    run = run_claims(claims=claims, catalogue=[])
    rows = run.by_id()
    assert rows["A"].state == rows["B"].state == "not checked"
    assert "cycle" in rows["A"].verdict.reason
    assert rows["C"].status is Status.HOLDS
    with pytest.raises(InvalidArgument, match="cycle"):
        proofs.dependency_graph(claims=claims)


def test_only_selects_by_glob_or_substring_and_adds_dependencies():
    claims = {"P1.a": _toy("P1.a"), "P1.b": _toy("P1.b", deps=("P1.a",)), "P2.c": _toy("P2.c")}
    run = run_claims("quick", "P1.b", claims=claims, catalogue=[])
    assert [r.id for r in run.results] == ["P1.a", "P1.b"]
    assert select(["P1.a", "P2.c"], "P2*") == ["P2.c"]
    with pytest.raises(InvalidArgument, match="nope"):
        run_claims("quick", "nope", claims=claims, catalogue=[])
    with pytest.raises(InvalidArgument, match="mode"):
        run_claims("slow", claims=claims, catalogue=[])


def test_quick_budget_is_reported_not_enforced():
    import time

    def slow() -> Certificate:
        time.sleep(0.05)
        return _toy("A").certify()

    run = run_claims(claims={"A": _toy("A", quick=slow), "B": _toy("B")}, catalogue=[], budget=0.01)
    a, b = run.by_id()["A"], run.by_id()["B"]
    assert a.over_budget and a.status is Status.HOLDS and a.certify_seconds >= 0.05
    assert not b.over_budget
    assert "over the 0.01 s quick budget: A" in run.table()


def test_full_mode_falls_back_to_quick_with_a_note():
    r = run_claims("full", claims={"A": _toy("A")}, catalogue=[]).by_id()["A"]
    assert r.status is Status.HOLDS and any("no full run" in n for n in r.notes)


# -- bundles ---------------------------------------------------------------------------------------------
@pytest.fixture()
def toy_bundle(tmp_path, monkeypatch):
    claims = {"T.base": _toy("T.base"), "T.dep": _toy("T.dep", 5, 6, 11, deps=("T.base",)),
              "T.other": _toy("T.other", 0, 0, 0)}
    monkeypatch.setattr(proofs, "_REGISTRY", claims)
    cat = [Entry("T.base", "b", "p"), Entry("T.dep", "d", "p", ("T.base",)), Entry("T.other", "o", "p"),
           Entry("T.missing", "m", "p")]
    run = run_claims(claims=claims, catalogue=cat)
    out = tmp_path / "bundle"
    run.write_bundle(str(out))
    return out


def test_bundle_layout_and_index_has_no_json_numbers(toy_bundle):
    files = sorted(os.listdir(toy_bundle))
    assert files == ["T.base.json", "T.dep.json", "T.other.json", "index.json", "report.md"]
    text = (toy_bundle / "index.json").read_text()
    index = json.loads(text, parse_int=lambda s: pytest.fail(f"number {s}"),
                       parse_float=lambda s: pytest.fail(f"number {s}"))
    rows = {r["claim"]: r for r in index["claims"]}
    assert rows["T.missing"]["file"] is None and rows["T.missing"]["status"] == "UNKNOWN"
    raw = (toy_bundle / "T.dep.json").read_bytes()
    assert rows["T.dep"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert "## `T.dep`" in (toy_bundle / "report.md").read_text()


def test_intact_bundle_checks_and_missing_certificates_stay_unknown(toy_bundle):
    res = check_bundle(str(toy_bundle))
    labels = {r.claim: r.label for r in res.rows}
    assert labels == {"T.base": "HOLDS", "T.dep": "HOLDS", "T.other": "HOLDS",
                      "T.missing": "UNKNOWN (no certificate)"}
    assert res.exit_code == 3


def _edit(path, old: str, new: str) -> None:  # noqa: ANN001
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _reseal(bundle, name: str) -> None:  # noqa: ANN001
    """Update index.json's sha256 for ``name`` (a tamperer who also edits the index)."""
    index = json.loads((bundle / "index.json").read_text())
    for row in index["claims"]:
        if row["file"] == name:
            row["sha256"] = hashlib.sha256((bundle / name).read_bytes()).hexdigest()
    (bundle / "index.json").write_text(json.dumps(index, sort_keys=True, indent=1) + "\n")


@pytest.mark.parametrize("how", ["value", "value+index", "syntax", "deleted", "other-claim", "timings"])
def test_corrupting_one_certificate_is_detected_and_named(toy_bundle, how, capsys):
    target = toy_bundle / "T.other.json"
    if how == "value":
        _edit(target, '"c": "0"', '"c": "1"')
    elif how == "value+index":
        _edit(target, '"c": "0"', '"c": "1"')
        _reseal(toy_bundle, "T.other.json")
    elif how == "syntax":
        target.write_bytes(target.read_bytes()[:-5])
    elif how == "deleted":
        target.unlink()
    elif how == "other-claim":
        target.write_bytes((toy_bundle / "T.base.json").read_bytes())
        _reseal(toy_bundle, "T.other.json")
    else:  # untrusted field: the check still holds, but the file is not the one the bundle recorded
        _edit(target, '"timings": {}', '"timings": {"x": "1"}')
    res = check_bundle(str(toy_bundle))
    bad = [r for r in res.rows if r.invalid or r.verdict.status is Status.REFUTED]
    assert [r.claim for r in bad] == ["T.other"]
    assert {r.claim: r.label for r in res.rows}["T.base"] == "HOLDS"
    assert res.exit_code in (1, 2)
    if how == "value+index":
        assert res.exit_code == 1
    code = main(["check", str(toy_bundle)])
    out = capsys.readouterr()
    assert code == res.exit_code
    assert "T.other" in [line.split()[0] for line in out.out.splitlines() if line.strip()
                         and ("INVALID" in line or "REFUTED" in line)] or "T.other" in out.err


def test_corrupt_dependency_leaves_dependent_not_checked(toy_bundle):
    _edit(toy_bundle / "T.base.json", '"c": "3"', '"c": "4"')
    _reseal(toy_bundle, "T.base.json")
    rows = {r.claim: r for r in check_bundle(str(toy_bundle)).rows}
    assert rows["T.base"].verdict.status is Status.REFUTED
    assert rows["T.dep"].label == "UNKNOWN (not checked)"


def test_malformed_index_is_invalid_input(toy_bundle):
    (toy_bundle / "index.json").write_text('{"schema": "nncert-bundle/1", "claims": [{"claim": "T.base", "x": 1}]}')
    with pytest.raises(InvalidCertificate, match="JSON number"):
        check_bundle(str(toy_bundle))
    assert main(["check", str(toy_bundle)]) == 2


def test_write_bundle_refuses_a_foreign_directory_and_replaces_an_old_bundle(tmp_path, toy_bundle):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    run = run_claims(claims={"A": _toy("A")}, catalogue=[])
    with pytest.raises(InvalidArgument, match="not an nncert claims bundle"):
        run.write_bundle(str(foreign))
    (toy_bundle / "keep.txt").write_text("x")
    run.write_bundle(str(toy_bundle))
    assert sorted(os.listdir(toy_bundle)) == ["A.json", "index.json", "keep.txt", "report.md"]


def test_certificate_filename_is_safe():
    assert certificate_filename("../x/y") == ".._x_y.json".replace("..", "claim_..", 1)
    assert certificate_filename("index") == "claim_index.json"


def test_broken_claim_module_does_not_break_the_registry(tmp_path, monkeypatch):
    import nncert.proofs.claims as pkg

    bad = tmp_path / "zz_broken_claim.py"
    bad.write_text("raise RuntimeError('half-written module')\n")
    monkeypatch.setattr(pkg, "__path__", list(pkg.__path__) + [str(tmp_path)])
    monkeypatch.setattr(proofs, "_REGISTRY", None)
    try:
        reg = proofs.registry()
        assert "P1.memorization.width2_depth" in reg
        errs = proofs.load_errors()
        assert any("zz_broken_claim" in k and "half-written module" in v for k, v in errs.items())
    finally:
        monkeypatch.setattr(proofs, "_REGISTRY", None)
        sys.modules.pop("nncert.proofs.claims.zz_broken_claim", None)


# -- the real command, end to end on the memorization claim ----------------------------------------------
def test_cli_claims_then_check_then_corrupt(tmp_path, capsys):
    out = tmp_path / "b"
    code = main(["claims", "--quick", "--only", "P1.memorization.width2_depth", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "P1.memorization.width2_depth" in text and "HOLDS" in text and "<= " in text
    assert main(["check", str(out)]) == 0
    capsys.readouterr()
    _edit(out / "P1.memorization.width2_depth.json", '"depth_bound": "', '"depth_bound": "1')
    code = main(["check", str(out)])
    captured = capsys.readouterr()
    assert code != 0
    assert "error: P1.memorization.width2_depth" in captured.err


def test_cli_json_lists_every_catalogue_claim(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(proofs, "_REGISTRY", {})
    code = main(["claims", "--json", "--no-bundle"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 3
    assert [r["claim"] for r in obj["claims"]] == [e.id for e in CATALOGUE]
    assert main(["claims", "--only", "zzz", "--no-bundle"]) == 2


def test_bundle_checker_imports_no_construction():
    code = ("import sys, nncert.proofs.bundle, nncert.cli.cmd_check; "
            "bad = [m for m in sys.modules if m.startswith('nncert.constructions')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr


def test_progress_callback_sees_every_claim_in_order_then_done():
    seen = []
    claims = {"A": _toy("A"), "B": _toy("B", deps=("A",))}
    run_claims("full", claims=claims, catalogue=[], progress=lambda stage, frac: seen.append((stage, frac)))
    assert seen == [("A", 0.0), ("B", 0.5), ("done", 1.0)]


def test_cli_rejects_a_bad_out_before_running(tmp_path, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(proofs, "_REGISTRY", {"A": _toy("A", quick=lambda: calls.append(1))})
    afile = tmp_path / "f"
    afile.write_text("x")
    assert main(["claims", "--out", str(afile)]) == 2
    assert "not a directory" in capsys.readouterr().err and calls == []
