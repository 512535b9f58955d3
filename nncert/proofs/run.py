"""Run every claim of both papers on its bundled default inputs: the library behind ``nncert claims``.

:func:`run_claims` walks the :data:`~nncert.proofs.catalogue.CATALOGUE` plus every registered claim
(:func:`nncert.proofs.registry`) in dependency order (:func:`nncert.proofs.topological_order`). For each
claim it

1. calls the claim's untrusted producer (``Claim.quick`` for ``mode="quick"``, ``Claim.full`` for
   ``mode="full"``, falling back to ``quick`` when a claim defines no full run),
2. writes the certificate to canonical JSON text and reads it back strictly (so what is checked is
   exactly what lands in the bundle), and
3. re-checks it with the claim's trusted ``check``.

Nothing a claim does can crash the run: a producer or checker that raises gives an UNKNOWN row with
the exception as its reason (REFUTED if it raised :class:`~nncert.errors.NotProved` carrying a
REFUTED verdict). Catalogue entries with no registered claim give UNKNOWN "checker not built yet".

Dependencies
------------
A claim is **NOT CHECKED** (status UNKNOWN, never HOLDS) when one of its dependencies

* is REFUTED,
* is itself NOT CHECKED, or its producer or checker raised (state ``"error"``),
* is not a known claim at all, or sits on a dependency cycle;

with ``strict_deps=True`` any dependency that is not HOLDS blocks its dependents. A dependency that is
merely UNKNOWN (not built yet, or a statistical test that was inconclusive) does not block by default;
the dependent's row then carries a note ``dependency X is UNKNOWN``.

Timing
------
``mode="quick"`` budgets :data:`QUICK_BUDGET` seconds per claim. Nothing is killed: a claim over its
budget is reported (``over_budget``) and the run goes on. Seconds are wall-clock and informational.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from nncert.core import Certificate, Status, Verdict
from nncert.errors import InvalidArgument, NotProved

__all__ = [
    "ClaimResult",
    "ClaimsRun",
    "run_claims",
    "select",
    "QUICK_BUDGET",
    "BUNDLE_SCHEMA",
    "STATES",
    "certificate_filename",
    "validate_bundle_dir",
    "evidence_summary",
]

#: Seconds a claim's ``quick`` run may take (reported, never enforced by killing).
QUICK_BUDGET = 8.0
#: Schema tag of a bundle's ``index.json``.
BUNDLE_SCHEMA = "nncert-bundle/1"
#: Row states: ``checked`` (trusted check ran), ``not built`` (no registered claim), ``not checked``
#: (a dependency failed), ``error`` (the producer or checker raised), ``no inputs`` (no quick/full run).
STATES = ("checked", "not built", "not checked", "error", "no inputs")

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def certificate_filename(claim_id: str) -> str:
    """File name of a claim's certificate inside a bundle.

    Examples
    --------
    >>> certificate_filename("P1.memorization.width2_depth")
    'P1.memorization.width2_depth.json'
    """
    name = _SAFE.sub("_", claim_id)
    if name in ("index", "") or name.startswith("."):
        name = "claim_" + name
    return name + ".json"


@dataclass
class ClaimResult:
    """One row of a claims run.

    ``verdict`` is the trusted checker's verdict (or the UNKNOWN/REFUTED verdict explaining why there is
    none); ``certificate_text`` is the canonical JSON that was checked (``None`` when no certificate was
    produced). ``seconds`` = ``certify_seconds + check_seconds``.
    """

    id: str
    statement: str
    paper_part: str
    verdict: Verdict
    state: str
    depends_on: tuple[str, ...] = ()
    in_catalogue: bool = True
    registered: bool = False
    certify_seconds: float = 0.0
    check_seconds: float = 0.0
    over_budget: bool = False
    notes: tuple[str, ...] = ()
    certificate_text: str | None = None
    summary: str = ""

    @property
    def status(self) -> Status:
        """Shortcut for ``verdict.status``."""
        return self.verdict.status

    @property
    def seconds(self) -> float:
        """Producer plus checker wall-clock seconds."""
        return self.certify_seconds + self.check_seconds

    @property
    def label(self) -> str:
        """Verdict as shown in tables: ``HOLDS``, ``REFUTED``, ``UNKNOWN`` or ``UNKNOWN (not checked)``."""
        if self.state == "not checked":
            return "UNKNOWN (not checked)"
        return self.status.value

    @property
    def evidence(self) -> str:
        """Evidence for HOLDS; the reason (then the evidence) otherwise."""
        v = self.verdict
        if v.status is Status.HOLDS:
            return self.summary or v.evidence or "holds"
        parts = [p for p in (v.reason, v.evidence) if p]
        return "; ".join(parts) or v.status.value.lower()

    @property
    def admitted(self) -> tuple[str, ...]:
        """What the verdict took on trust (solver answers, statistical tests)."""
        return tuple(self.verdict.admitted)

    def to_json(self, file: str | None = None) -> dict[str, Any]:
        """JSON-ready row (every number a string, as in certificates)."""
        sha = hashlib.sha256(self.certificate_text.encode("ascii")).hexdigest() if self.certificate_text else None
        return {
            "claim": self.id,
            "statement": self.statement,
            "paper_part": self.paper_part,
            "status": self.status.value,
            "state": self.state,
            "evidence": self.verdict.evidence,
            "reason": self.verdict.reason,
            "admitted": list(self.admitted),
            "depends_on": list(self.depends_on),
            "in_catalogue": self.in_catalogue,
            "registered": self.registered,
            "seconds": f"{self.seconds:.3f}",
            "certify_seconds": f"{self.certify_seconds:.3f}",
            "check_seconds": f"{self.check_seconds:.3f}",
            "over_budget": self.over_budget,
            "notes": list(self.notes),
            "file": file if self.certificate_text else None,
            "sha256": sha,
        }


@dataclass
class ClaimsRun:
    """Every row of a run, in the order they were decided (dependencies first)."""

    mode: str
    results: list[ClaimResult]
    seconds: float = 0.0
    budget: float = QUICK_BUDGET
    load_errors: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        """REFUTED if any row is refuted, else UNKNOWN if any is unknown, else HOLDS."""
        statuses = {r.status for r in self.results}
        for s in (Status.REFUTED, Status.UNKNOWN):
            if s in statuses:
                return s
        return Status.HOLDS if self.results else Status.UNKNOWN

    def counts(self) -> dict[str, int]:
        """Number of rows per verdict."""
        out = {s.value: 0 for s in Status}
        for r in self.results:
            out[r.status.value] += 1
        return out

    def by_id(self) -> dict[str, ClaimResult]:
        """Rows keyed by claim id."""
        return {r.id: r for r in self.results}

    # -- output --------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The whole run as JSON-ready data (the shape of a bundle's ``index.json``)."""
        from nncert import __version__

        return {
            "schema": BUNDLE_SCHEMA,
            "nncert_version": __version__,
            "mode": self.mode,
            "seconds": f"{self.seconds:.3f}",
            "budget_per_claim": f"{self.budget:g}" if self.mode == "quick" else None,
            "counts": {k: str(v) for k, v in self.counts().items()},
            "load_errors": dict(self.load_errors),
            "claims": [r.to_json(certificate_filename(r.id)) for r in self.results],
        }

    def table(self, width: int = 0) -> str:
        """Plain-text table: claim, statement, verdict, evidence, seconds, admitted (long cells cut)."""
        rows = [("claim", "statement", "verdict", "evidence / reason", "seconds", "admitted")]
        for r in self.results:
            secs = f"{r.seconds:.2f}" + (" (!)" if r.over_budget else "")
            if r.state in ("not built", "no inputs"):
                secs = "-"
            rows.append((r.id, _cut(r.statement, 44), r.label, _cut(r.evidence, 60), secs,
                         _cut(", ".join(r.admitted) or "-", 36)))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = []
        for k, row in enumerate(rows):
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        c = self.counts()
        foot = (f"{len(self.results)} claims: {c['HOLDS']} HOLDS, {c['REFUTED']} REFUTED, {c['UNKNOWN']} UNKNOWN; "
                f"{self.seconds:.1f} s total ({self.mode})")
        over = [r.id for r in self.results if r.over_budget]
        if over:
            foot += f"; (!) over the {self.budget:g} s quick budget: {', '.join(over)}"
        lines.append(foot)
        return "\n".join(lines)

    def markdown(self) -> str:
        """The bundle's ``report.md``: the full table, then one section per claim."""
        from nncert import __version__

        c = self.counts()
        out = [
            "# nncert claims report",
            "",
            f"nncert {__version__}, mode `{self.mode}`, {len(self.results)} claims: {c['HOLDS']} HOLDS, "
            f"{c['REFUTED']} REFUTED, {c['UNKNOWN']} UNKNOWN, {self.seconds:.1f} s total.",
            "Re-check every certificate of this bundle with `nncert check <this directory>`.",
            "",
            "| claim | statement | verdict | evidence / reason | seconds | admitted |",
            "|---|---|---|---|---|---|",
        ]
        for r in self.results:
            secs = "-" if r.state in ("not built", "no inputs") else f"{r.seconds:.2f}" + (
                " (over budget)" if r.over_budget else "")
            out.append("| " + " | ".join(_md(x) for x in (
                f"`{r.id}`", r.statement, r.label, r.evidence, secs, ", ".join(r.admitted) or "-")) + " |")
        if self.load_errors:
            out += ["", "## Claim modules with problems", ""]
            out += [f"- `{k}`: {_md(v)}" for k, v in sorted(self.load_errors.items())]
        for r in self.results:
            out += ["", f"## `{r.id}`", "", f"*{_md(r.paper_part)}*. {_md(r.statement)}", ""]
            out.append(f"- verdict: **{r.label}** (state: {r.state})")
            if r.depends_on:
                out.append("- depends on: " + ", ".join(f"`{d}`" for d in r.depends_on))
            if r.certificate_text is not None:
                out.append(f"- certificate: `{certificate_filename(r.id)}`")
            out.append(f"- seconds: produce {r.certify_seconds:.3f}, check {r.check_seconds:.3f}")
            for n in r.notes:
                out.append(f"- note: {_md(n)}")
            out += ["", "```", r.verdict.summary() or r.status.value, "```"]
        return "\n".join(out) + "\n"

    def write_bundle(self, directory: str) -> list[str]:
        """Write one certificate per checked claim, ``index.json`` and ``report.md``; returns the paths.

        An existing directory must be empty or an earlier bundle (its ``index.json`` has the bundle
        schema); the files that bundle listed are replaced, nothing else is deleted.
        """
        _prepare_bundle_dir(directory)
        written = []
        for r in self.results:
            if r.certificate_text is None:
                continue
            path = os.path.join(directory, certificate_filename(r.id))
            with open(path, "w", encoding="ascii", newline="\n") as fh:
                fh.write(r.certificate_text)
            written.append(path)
        report = os.path.join(directory, "report.md")
        with open(report, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(self.markdown())
        index = os.path.join(directory, "index.json")
        with open(index, "w", encoding="ascii", newline="\n") as fh:
            fh.write(json.dumps(self.to_json(), sort_keys=True, indent=1, ensure_ascii=True) + "\n")
        return written + [report, index]


def validate_bundle_dir(directory: str) -> Any:
    """Raise :class:`~nncert.errors.InvalidArgument` unless ``directory`` may receive a bundle (nothing is
    changed): it is new, empty, or an earlier bundle. Returns the earlier bundle's index (or None)."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise InvalidArgument(f"--out {directory!r} exists and is not a directory")
    if not os.path.isdir(directory) or not os.listdir(directory):
        return None
    index = os.path.join(directory, "index.json")
    old: Any = None
    if os.path.isfile(index):
        try:
            with open(index, encoding="utf-8") as fh:
                old = json.load(fh)
        except (OSError, ValueError):
            old = None
    if not (isinstance(old, dict) and old.get("schema") == BUNDLE_SCHEMA and isinstance(old.get("claims"), list)):
        raise InvalidArgument(
            f"--out {directory!r} is a non-empty directory that is not an nncert claims bundle; "
            "choose a new or empty directory"
        )
    return old


def _prepare_bundle_dir(directory: str) -> None:
    old = validate_bundle_dir(directory)
    if not os.path.isdir(directory):
        try:
            os.makedirs(directory)
        except OSError as err:
            raise InvalidArgument(f"--out {directory!r}: cannot create the directory ({err.strerror})") from None
        return
    if old is None:
        return
    for row in old["claims"]:
        f = row.get("file") if isinstance(row, dict) else None
        if isinstance(f, str) and f == os.path.basename(f) and f.endswith(".json") and f != "index.json":
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(directory, f))
    for f in ("report.md", "index.json"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(directory, f))


def _cut(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _one_line(err: BaseException) -> str:
    text = str(err).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(err).__name__}: {first[:300]}" if first else type(err).__name__


def select(ids: Sequence[str], patterns: str | Sequence[str] | None) -> list[str]:
    """The ids matching ``patterns`` (comma-separated, or a list).

    A pattern with ``*``, ``?`` or ``[`` is a shell-style glob on the whole id; any other pattern
    matches ids that contain it. Raises :class:`~nncert.errors.InvalidArgument` if a pattern matches
    nothing.

    Examples
    --------
    >>> select(["P1.a.b", "P2.c", "P2.d"], "P2.*")
    ['P2.c', 'P2.d']
    >>> select(["P1.a.b", "P2.c"], "a.b,P2.c")
    ['P1.a.b', 'P2.c']
    """
    if patterns is None:
        return list(ids)
    pats = [p.strip() for p in (patterns.split(",") if isinstance(patterns, str) else patterns)]
    pats = [p for p in pats if p]
    if not pats:
        raise InvalidArgument("--only: empty pattern")
    chosen: set[str] = set()
    for p in pats:
        glob = any(ch in p for ch in "*?[")
        hit = [i for i in ids if (fnmatch.fnmatchcase(i, p) if glob else p in i)]
        if not hit:
            raise InvalidArgument(f"--only {p!r} matches no claim id (ids look like {ids[0] if ids else '?'})")
        chosen.update(hit)
    return [i for i in ids if i in chosen]


def run_claims(
    mode: str = "quick",
    only: str | Sequence[str] | None = None,
    *,
    strict_deps: bool = False,
    claims: Mapping[str, Any] | None = None,
    catalogue: Sequence[Any] | None = None,
    budget: float = QUICK_BUDGET,
    progress: Callable[[str, float], None] | None = None,
    on_result: Callable[[ClaimResult], None] | None = None,
) -> ClaimsRun:
    """Check every catalogue and registered claim on its bundled inputs; never raises for a claim's fault.

    Parameters
    ----------
    mode : ``"quick"`` (each claim's ``quick``, budget ``budget`` seconds each) or ``"full"``.
    only : restrict to claims matching these patterns (see :func:`select`); the dependencies of the
        selected claims are run too (they decide whether a selected claim can be checked).
    strict_deps : any dependency that is not HOLDS leaves its dependents NOT CHECKED.
    claims, catalogue : replace :func:`nncert.proofs.registry` / the catalogue (tests, plug-ins).
    progress : called with ``(claim id, fraction done)`` before each claim.
    on_result : called with each finished row.

    Raises
    ------
    InvalidArgument
        ``mode`` is not quick/full, or ``only`` matches nothing.

    Examples
    --------
    >>> from nncert.proofs import Claim
    >>> from nncert.core import Certificate, Verdict, Status
    >>> demo = Claim("demo.ok", "1 = 1", "demo", certify=lambda: Certificate("demo.ok"),
    ...              check=lambda cert, **_: Verdict(Status.HOLDS, "demo.ok", evidence="1 == 1"),
    ...              quick=lambda: Certificate("demo.ok"))
    >>> run = run_claims(claims={"demo.ok": demo}, catalogue=[])
    >>> [(r.id, r.label, r.evidence) for r in run.results]
    [('demo.ok', 'HOLDS', '1 == 1')]
    """
    import networkx as nx

    from nncert.proofs import _cycle_safe_order, _graph, dependency_cycles, load_errors, registry, topological_order
    from nncert.proofs.catalogue import CATALOGUE

    if mode not in ("quick", "full"):
        raise InvalidArgument(f"mode must be 'quick' or 'full', got {mode!r}")
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget > 0:
        raise InvalidArgument(f"budget must be a positive number of seconds, got {budget!r}")
    errors: dict[str, str] = {}
    if claims is None:
        claims = registry()
        errors = load_errors()
    cat = list(CATALOGUE if catalogue is None else catalogue)
    cat_ids = {e.id: e for e in cat}
    claims = dict(claims)
    known = [e.id for e in cat] + sorted(set(claims) - set(cat_ids))

    if catalogue is None:
        order = topological_order(known, claims=claims)
        graph = _graph(claims, True)
    else:
        graph = nx.DiGraph()
        graph.add_nodes_from(known)
        for e in cat:
            graph.add_edges_from((d, e.id) for d in e.depends_on)
        for cid, c in claims.items():
            graph.add_edges_from((d, cid) for d in c.depends_on)
        order = _cycle_safe_order(graph, known)
    cyclic = {n for comp in dependency_cycles(graph) for n in comp}

    chosen = select(known, only)
    if only is not None:
        closure = set(chosen)
        for cid in chosen:
            closure.update(a for a in nx.ancestors(graph, cid) if a in set(known))
        chosen = [i for i in known if i in closure]
    wanted = set(chosen)
    order = [i for i in order if i in wanted]

    t_start = time.perf_counter()
    results: dict[str, ClaimResult] = {}
    for k, cid in enumerate(order):
        if progress is not None:
            progress(cid, k / max(1, len(order)))
        entry = cat_ids.get(cid)
        claim = claims.get(cid)
        deps = tuple(dict.fromkeys(list(entry.depends_on if entry else ()) + list(claim.depends_on if claim else ())))
        base = dict(
            id=cid,
            statement=(claim.statement if claim is not None else entry.statement),
            paper_part=(claim.paper_part if claim is not None else entry.paper_part),
            depends_on=deps,
            in_catalogue=entry is not None,
            registered=claim is not None,
        )
        blocked, notes = _blocked(cid, deps, results, set(known), cyclic, strict_deps)
        if claim is None:
            why = errors.get(cid) or _module_hint(errors)
            reason = "checker not built yet" + (f" ({why})" if why else "")
            res = ClaimResult(verdict=Verdict(Status.UNKNOWN, cid, reason=reason), state="not built",
                              notes=tuple(notes), **base)
        elif blocked:
            res = ClaimResult(verdict=Verdict(Status.UNKNOWN, cid, reason="not checked: " + blocked),
                              state="not checked", notes=tuple(notes), **base)
        else:
            res = _run_one(claim, mode, budget, base, notes)
        results[cid] = res
        if on_result is not None:
            on_result(res)
    if progress is not None:
        progress("done", 1.0)
    return ClaimsRun(mode, list(results.values()), time.perf_counter() - t_start, budget, errors)


def _module_hint(errors: Mapping[str, str]) -> str:
    mods = [v for k, v in errors.items() if k.startswith("nncert.proofs.claims.")]
    return ("possibly in: " + "; ".join(mods))[:400] if mods else ""


def _blocked(cid: str, deps: tuple[str, ...], done: Mapping[str, ClaimResult], known: set[str],
             cyclic: set[str], strict: bool) -> tuple[str, list[str]]:
    """Why ``cid`` cannot be checked ('' if it can), plus notes about soft (UNKNOWN) dependencies."""
    notes: list[str] = []
    if cid in cyclic:
        return "it lies on a dependency cycle", notes
    for dep in deps:
        if dep not in known:
            return f"dependency {dep} is not a known claim", notes
        r = done.get(dep)
        if r is None:  # a dependency on a cycle, or outside this selection
            return f"dependency {dep} was not decided (dependency cycle)", notes
        if r.status is Status.REFUTED:
            return f"dependency {dep} is REFUTED", notes
        if r.state in ("not checked", "error"):
            return f"dependency {dep} is {r.label} ({r.state}: {_cut(r.verdict.reason, 120)})", notes
        if r.status is Status.UNKNOWN:
            if strict:
                return f"dependency {dep} is UNKNOWN ({_cut(r.verdict.reason, 120)})", notes
            notes.append(f"dependency {dep} is UNKNOWN ({_cut(r.verdict.reason, 120)})")
    return "", notes


def _run_one(claim: Any, mode: str, budget: float, base: dict[str, Any], notes: list[str]) -> ClaimResult:
    cid = claim.id
    producer = claim.quick if mode == "quick" else (claim.full or claim.quick)
    if mode == "full" and claim.full is None and claim.quick is not None:
        notes.append("no full run defined; used the quick run")
    if producer is None:
        return ClaimResult(verdict=Verdict(Status.UNKNOWN, cid, reason=f"claim defines no {mode} run (bundled inputs)"),
                           state="no inputs", notes=tuple(notes), **base)
    # 1. untrusted producer (its prints go to stderr so tables and --json stay clean)
    t0 = time.perf_counter()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            cert = producer()
        text = cert.dumps() if isinstance(cert, Certificate) else None
    except NotProved as err:
        v = err.verdict if isinstance(err.verdict, Verdict) else None
        t = time.perf_counter() - t0
        if v is not None and v.status is Status.REFUTED:
            verdict = Verdict(Status.REFUTED, cid, evidence=v.evidence, reason=f"certify: {v.reason or 'refuted'}",
                              counterexample=v.counterexample or {"certify": "refuted"}, admitted=v.admitted)
        else:
            verdict = Verdict(Status.UNKNOWN, cid, reason=f"certify could not prove it: {_one_line(err)}")
        return ClaimResult(verdict=verdict, state="error", certify_seconds=t, notes=tuple(notes),
                           over_budget=mode == "quick" and t > budget, **base)
    except (Exception, SystemExit) as err:  # noqa: BLE001 - a claim's bug (even sys.exit) must not stop the run
        t = time.perf_counter() - t0
        return ClaimResult(verdict=Verdict(Status.UNKNOWN, cid, reason=f"certify raised {_one_line(err)}"),
                           state="error", certify_seconds=t, notes=tuple(notes),
                           over_budget=mode == "quick" and t > budget, **base)
    t_cert = time.perf_counter() - t0
    over = mode == "quick" and t_cert > budget
    if text is None:
        return ClaimResult(verdict=Verdict(Status.UNKNOWN, cid, reason=f"{mode} returned {type(cert).__name__}, "
                                           "not a Certificate"),
                           state="error", certify_seconds=t_cert, over_budget=over, notes=tuple(notes), **base)
    if cert.claim != cid:
        return ClaimResult(verdict=Verdict(Status.UNKNOWN, cid, reason=f"{mode} returned a certificate for claim "
                                           f"{cert.claim[:80]!r}"),
                           state="error", certify_seconds=t_cert, over_budget=over, notes=tuple(notes), **base)
    # 2. + 3. read back what will be written, check with the trusted checker
    t1 = time.perf_counter()
    try:
        on_disk = Certificate.loads(text)
        with contextlib.redirect_stdout(sys.stderr):
            verdict = claim.check(on_disk)  # the claim's trusted check (what check_certificate dispatches to)
        if not isinstance(verdict, Verdict):
            raise TypeError(f"check returned {type(verdict).__name__}, not a Verdict")
        state = "checked"
    except (Exception, SystemExit) as err:  # noqa: BLE001
        verdict = Verdict(Status.UNKNOWN, cid, reason=f"trusted check failed: {_one_line(err)}")
        state = "error"
    t_check = time.perf_counter() - t1
    if verdict.claim != cid:
        verdict = Verdict(verdict.status, cid, verdict.evidence, verdict.reason, verdict.counterexample,
                          verdict.admitted, verdict.parts)
    return ClaimResult(verdict=verdict, state=state, certify_seconds=t_cert, check_seconds=t_check,
                       summary=_summary(claim, verdict),
                       over_budget=over or (mode == "quick" and t_cert + t_check > budget),
                       notes=tuple(notes), certificate_text=text, **base)


_COMPARE = re.compile(r"<=|>=|==|\u2264|\u2265|(?<![!<>=-])[<>](?![=])| in \[|CI \[")
_HOUSEKEEPING = re.compile(r"sha256|as expected|negative control", re.IGNORECASE)


def evidence_summary(verdict: Verdict, claim: Any = None) -> str:
    """One-line evidence of a verdict as shown in tables (see :func:`_summary`)."""
    return _summary(claim, verdict)


def _summary(claim: Any, verdict: Verdict) -> str:
    """Evidence for the table: ``Claim.meta["summary"](verdict)`` if the claim gives one; else the parts'
    evidence, comparisons first ("depth 27 <= 309", "slope 1.02 [0.95, 1.09]"), hashes and negative
    controls last; a part whose evidence has no comparison is prefixed by its name."""
    fn = claim.meta.get("summary") if claim is not None and isinstance(getattr(claim, "meta", None), dict) else None
    if callable(fn):
        try:
            text = fn(verdict)
            if isinstance(text, str) and text:
                return text
        except Exception:  # noqa: BLE001 - a presentation helper must not break the run
            pass
    if not verdict.parts:
        return verdict.evidence
    ranked = []
    for k, p in enumerate(verdict.parts):
        if not p.evidence:
            continue
        text = f"{p.claim} | {p.evidence}"
        if _HOUSEKEEPING.search(text):
            rank = 2
        elif _COMPARE.search(p.evidence) and "!=" not in p.evidence:
            rank, text = 0, p.evidence
        else:
            rank = 1
        ranked.append((rank, k, text.replace(" | ", ": ")))
    return "; ".join(t for _, _, t in sorted(ranked))
