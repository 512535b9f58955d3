"""Re-check a claims bundle (``nncert claims --out DIR``) with the trusted checkers: ``nncert check DIR``.

Trusted path: this module uses :mod:`nncert.core`, :mod:`nncert.proofs` (registry and the claims'
``check`` functions) and networkx for the dependency order; it imports nothing from
:mod:`nncert.constructions` and no solver.

A bundle directory holds ``index.json`` (schema ``nncert-bundle/1``), one certificate per claim that
produced one, and ``report.md``. For every ``index.json`` row, in dependency order:

* a row with a certificate file: the file must exist, its SHA-256 must equal the one recorded in the
  index (a mismatch means the file changed after the bundle was written), it must parse strictly,
  name the row's claim, and then the claim's trusted ``check`` decides;
* a row without a certificate (a claim whose checker was not built, or whose producer failed) stays
  UNKNOWN with the reason recorded in the index: there is nothing to re-check;
* a claim whose dependency is REFUTED, INVALID or NOT CHECKED is NOT CHECKED (UNKNOWN).

Certificates in the directory that the index does not list are checked too (and flagged).
The SHA-256 in the index detects accidental corruption and edits of the untrusted ``checked_by`` /
``timings`` fields; it is not a signature (whoever can edit the files can edit the index): what makes a
HOLDS trustworthy is the trusted ``check`` re-deriving it from the certificate.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

from nncert.core import EXIT_CODE, Certificate, Status, Verdict
from nncert.errors import InvalidCertificate

__all__ = ["BundleRow", "BundleCheck", "check_bundle", "is_bundle"]

_SCHEMA = "nncert-bundle/1"
_MAX_INDEX_BYTES = 64 << 20


@dataclass
class BundleRow:
    """Outcome for one claim of a bundle: a verdict, or ``invalid`` with the reason."""

    claim: str
    file: str | None
    verdict: Verdict
    invalid: str = ""
    state: str = "checked"
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``INVALID``, ``UNKNOWN (not checked)``, ``UNKNOWN (no certificate)`` or the verdict."""
        if self.invalid:
            return "INVALID"
        if self.state in ("not checked", "no certificate"):
            return f"UNKNOWN ({self.state})"
        return self.verdict.status.value


@dataclass
class BundleCheck:
    """Every row of a bundle check and the exit code it implies."""

    directory: str
    rows: list[BundleRow]

    @property
    def invalid(self) -> list[BundleRow]:
        """Rows whose certificate is missing, altered, malformed, or crashed its checker."""
        return [r for r in self.rows if r.invalid]

    @property
    def exit_code(self) -> int:
        """2 if any certificate is invalid; else 1 if any claim is refuted, 3 if any is unknown, 0 if all hold."""
        if self.invalid:
            return 2
        statuses = {r.verdict.status for r in self.rows}
        for s in (Status.REFUTED, Status.UNKNOWN):
            if s in statuses:
                return EXIT_CODE[s]
        return 0 if self.rows else 3

    def report(self) -> str:
        """Per-claim summaries, then a table with one line per claim and a total line."""
        out = []
        for r in self.rows:
            out.append(f"== {r.claim}" + (f" ({r.file})" if r.file else ""))
            if r.invalid:
                out.append(f"INVALID  {r.claim}: {r.invalid}")
            else:
                out.append(r.verdict.summary())
            out.extend(f"note: {n}" for n in r.notes)
        from nncert.proofs import registry
        from nncert.proofs.run import evidence_summary

        w = max([len(r.claim) for r in self.rows] + [5])
        out.append("")
        out.append(f"{'claim':<{w}}  result")
        for r in self.rows:
            why = r.invalid or (r.verdict.reason if r.verdict.status is not Status.HOLDS
                                else evidence_summary(r.verdict, registry().get(r.claim)))
            why = " ".join(why.split())
            out.append(f"{r.claim:<{w}}  {r.label}" + (f": {why[:120]}" if why else ""))
        counts = {k: 0 for k in ("HOLDS", "REFUTED", "UNKNOWN", "INVALID")}
        for r in self.rows:
            counts["INVALID" if r.invalid else r.verdict.status.value] += 1
        out.append(f"bundle {self.directory}: {len(self.rows)} claims: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        return "\n".join(out)


def is_bundle(directory: str) -> bool:
    """True if ``directory`` has an ``index.json`` (then it is read as a bundle, strictly)."""
    return os.path.isfile(os.path.join(directory, "index.json"))


def _no_number(text: str) -> Any:
    raise InvalidCertificate(f"index.json: JSON number {text[:40]} found; bundles write every number as a string")


def _read_index(directory: str) -> list[dict[str, Any]]:
    path = os.path.join(directory, "index.json")
    try:
        if os.path.getsize(path) > _MAX_INDEX_BYTES:
            raise InvalidCertificate(f"{path}: larger than {_MAX_INDEX_BYTES} bytes")
        with open(path, "rb") as fh:
            obj = json.loads(fh.read().decode("utf-8"), parse_int=_no_number, parse_float=_no_number,
                             parse_constant=_no_number)
    except InvalidCertificate:
        raise
    except (OSError, ValueError, UnicodeDecodeError, RecursionError) as err:
        raise InvalidCertificate(f"{path}: not a readable bundle index ({err})") from None
    if not isinstance(obj, dict) or obj.get("schema") != _SCHEMA:
        raise InvalidCertificate(f"{path}: not an nncert bundle index (schema must be {_SCHEMA!r})")
    rows = obj.get("claims")
    if not isinstance(rows, list):
        raise InvalidCertificate(f"{path}: 'claims' must be a list")
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("claim"), str) or not row["claim"]:
            raise InvalidCertificate(f"{path}: claims[{i}] must be an object with a 'claim' string")
        if row["claim"] in seen:
            raise InvalidCertificate(f"{path}: claim {row['claim'][:80]!r} listed twice")
        seen.add(row["claim"])
        f = row.get("file")
        if f is not None and not (isinstance(f, str) and f == os.path.basename(f) and f.endswith(".json")
                                  and f != "index.json" and not f.startswith(".")):
            raise InvalidCertificate(f"{path}: claims[{i}] ({row['claim'][:80]}): bad file name {str(f)[:80]!r}")
        sha = row.get("sha256")
        if f is not None and not (isinstance(sha, str) and len(sha) == 64):
            raise InvalidCertificate(f"{path}: claims[{i}] ({row['claim'][:80]}): 'sha256' must be a 64-digit hex string")
        deps = row.get("depends_on", [])
        if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
            raise InvalidCertificate(f"{path}: claims[{i}] ({row['claim'][:80]}): 'depends_on' must be a list of strings")
    return rows


def _check_file(directory: str, claim: str, fname: str, sha: str | None, context: dict[str, Any]) -> BundleRow:
    from nncert.proofs import check_certificate

    path = os.path.join(directory, fname)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        return BundleRow(claim, fname, Verdict(Status.UNKNOWN, claim), invalid=f"certificate file {fname} "
                         f"cannot be read ({err.strerror or err})")
    notes: list[str] = []
    problem = ""
    if sha is not None and hashlib.sha256(raw).hexdigest() != sha:
        problem = f"{fname} was modified after the bundle was written (sha256 differs from index.json)"
    try:
        cert = Certificate.loads(raw)
    except InvalidCertificate as err:
        return BundleRow(claim, fname, Verdict(Status.UNKNOWN, claim), invalid=f"{fname}: {_line(err)}")
    if cert.claim != claim:
        return BundleRow(claim, fname, Verdict(Status.UNKNOWN, claim),
                         invalid=f"{fname} holds a certificate for claim {cert.claim[:80]!r}, not {claim!r}")
    try:
        verdict = check_certificate(cert, **context)
    except InvalidCertificate as err:
        return BundleRow(claim, fname, Verdict(Status.UNKNOWN, claim), invalid=f"{fname}: {_line(err)}")
    except Exception as err:  # noqa: BLE001 - hostile input crashing a checker is a malformed certificate
        return BundleRow(claim, fname, Verdict(Status.UNKNOWN, claim),
                         invalid=f"{fname}: the checker could not read it ({type(err).__name__}: {_line(err)})")
    if problem:
        return BundleRow(claim, fname, verdict, invalid=problem,
                         notes=[f"the trusted check of the modified file says {verdict.status.value}"])
    return BundleRow(claim, fname, verdict, notes=notes)


def _line(err: BaseException) -> str:
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:300]


def check_bundle(directory: str, **context: Any) -> BundleCheck:
    """Re-check every certificate of the bundle in ``directory`` (see the module docstring).

    Raises :class:`~nncert.errors.InvalidCertificate` when ``index.json`` itself is unreadable or
    malformed; every per-claim problem is a row (named by its claim), never an exception.
    """
    import networkx as nx

    from nncert.proofs import topological_order

    rows_in = _read_index(directory)
    by_claim = {r["claim"]: r for r in rows_in}
    listed = {r.get("file") for r in rows_in if r.get("file")}
    g = nx.DiGraph()
    g.add_nodes_from(by_claim)
    for r in rows_in:
        g.add_edges_from((d, r["claim"]) for d in r.get("depends_on", []) if d in by_claim)
    try:
        order = [c for c in topological_order(by_claim) if c in by_claim]
        order = list(nx.lexicographical_topological_sort(g, key=lambda n: (order.index(n), n)))
    except nx.NetworkXUnfeasible:
        order = [r["claim"] for r in rows_in]
    done: dict[str, BundleRow] = {}
    for claim in order:
        row = by_claim[claim]
        bad_dep = next((d for d in row.get("depends_on", []) if d in done and (
            done[d].invalid or done[d].verdict.status is Status.REFUTED or done[d].state == "not checked")), None)
        if bad_dep is not None:
            done[claim] = BundleRow(claim, row.get("file"), Verdict(
                Status.UNKNOWN, claim, reason=f"not checked: dependency {bad_dep} is {done[bad_dep].label}"),
                state="not checked")
            continue
        fname = row.get("file")
        if fname is None:
            status = row.get("status") if row.get("status") in ("UNKNOWN", "REFUTED") else "UNKNOWN"
            reason = row.get("reason") if isinstance(row.get("reason"), str) else ""
            done[claim] = BundleRow(claim, None, Verdict(
                Status.UNKNOWN, claim, reason=f"no certificate in the bundle (recorded {status}: {reason[:200]})"),
                state="no certificate")
            continue
        done[claim] = _check_file(directory, claim, fname, row["sha256"], context)
        recorded = row.get("status")
        got = done[claim].verdict.status.value
        if not done[claim].invalid and isinstance(recorded, str) and recorded != got:
            done[claim].notes.append(f"index.json recorded {recorded[:20]}, re-check says {got}")
    rows = [done[c] for c in order]
    extra = sorted(f for f in os.listdir(directory)
                   if f.endswith(".json") and f != "index.json" and f not in listed)
    for f in extra:
        try:
            cert = Certificate.loads(open(os.path.join(directory, f), "rb").read())
            claim = cert.claim
        except (OSError, InvalidCertificate) as err:
            rows.append(BundleRow(f, f, Verdict(Status.UNKNOWN, f), invalid=f"{f} (not listed in index.json): "
                                  f"{_line(err)}"))
            continue
        r = _check_file(directory, claim, f, None, context)
        r.notes.append(f"{f} is not listed in index.json")
        rows.append(r)
    return BundleCheck(directory, rows)
