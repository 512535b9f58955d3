"""Shared pieces of the ``P2.*`` random-batch claims (private: not a claim module).

Trusted helpers here use only :mod:`nncert.core` and :mod:`nncert.verify.rbm_exact`;
:func:`default_schemes` (untrusted, used by ``certify``) imports constructions lazily.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from nncert.core import Status, Verdict, fmt, parse_exact
from nncert.errors import InvalidCertificate
from nncert.verify import rbm_exact as rx

DEFAULT_P_MAX = 8
QUICK_P_MAX = 5


def default_schemes(p_max: int, families: tuple[str, ...] | None = None) -> list[tuple[str, Any]]:
    """``[(family, scheme), ...]`` for p = 1..p_max: every family of ``random_batch.md`` section 2."""
    from fractions import Fraction as F

    from nncert.constructions import batches as bt

    out: list[tuple[str, Any]] = []
    for p in range(1, p_max + 1):
        out.append(("full", bt.Full(p)))
        out.append(("bernoulli", bt.Bernoulli(p, F(1, 3))))
        out.append(("all-subsets", bt.all_subsets(p)))
        for r in range(1, p + 1):
            out.append(("uniform", bt.Uniform(p, r)))
        out.append(("pick-one", bt.pick_one(p)))
        if p >= 2:
            out.append(("drop-one", bt.drop_one(p)))
        for r in range(1, p + 1):
            if p % r == 0:
                out.append(("partition", bt.Partition([list(range(s, s + r)) for s in range(0, p, r)])))
        if p >= 3:
            out.append(("partition", bt.Partition([[0], list(range(1, p))], name="partition-unbalanced")))
        h = (p + 1) // 2
        out.append(("family", bt.FiniteFamily(p, [list(range(h)), list(range(h, p)), list(range(p)), [0]],
                                              [F(1, 3), F(1, 4), F(1, 6), F(1, 4)])))
    if families:
        out = [(fam, s) for fam, s in out if fam in families]
    return out


def label(spec: dict[str, Any]) -> str:
    """Short text of a spec, e.g. ``uniform(p=4, r=2)``."""
    extra = {k: v for k, v in spec.items() if k not in ("scheme", "p")}
    bits = [f"p={spec.get('p')}"]
    for k, v in extra.items():
        if isinstance(v, list):
            v = "|".join(",".join(x) if isinstance(x, list) else str(x) for x in v)
        bits.append(f"{k}={v}")
    text = f"{spec.get('scheme')}({', '.join(bits)})"
    return text if len(text) <= 120 else text[:117] + "..."


def need(obj: object, keys: set[str], where: str) -> dict[str, Any]:
    """``obj`` must be a dict with exactly ``keys``."""
    if not isinstance(obj, dict) or set(obj) != keys:
        got = sorted(obj)[:10] if isinstance(obj, dict) else type(obj).__name__
        raise InvalidCertificate(f"{where}: expected exactly {sorted(keys)}, got {got}")
    return obj


def need_list(obj: object, where: str, max_len: int = 100000) -> list:
    if not isinstance(obj, list) or len(obj) > max_len:
        raise InvalidCertificate(f"{where}: expected a list (at most {max_len} entries)")
    return obj


def str_list(obj: object, where: str) -> list[str]:
    """A list of strings (else :class:`InvalidCertificate`)."""
    if not isinstance(obj, list) or not all(isinstance(v, str) for v in obj) or len(obj) > 100000:
        raise InvalidCertificate(f"{where}: expected a list of strings")
    return obj


def exact_list(obj: object, where: str) -> list[Fraction]:
    return [parse_exact(v, f"{where}[{k}]") for k, v in enumerate(need_list(obj, where))]


def exact_matrix(obj: object, where: str, rows: int | None = None, cols: int | None = None) -> list[list[Fraction]]:
    m = [exact_list(r, f"{where}[{k}]") for k, r in enumerate(need_list(obj, where))]
    if rows is not None and len(m) != rows or cols is not None and any(len(r) != cols for r in m):
        raise InvalidCertificate(f"{where}: expected a {rows} x {cols} matrix")
    if m and any(len(r) != len(m[0]) for r in m):
        raise InvalidCertificate(f"{where}: ragged matrix")
    return m


def stated(name: str, stated_value: str, actual: str) -> Verdict | None:
    """A REFUTED verdict if a stated value differs from the recomputed one, else None."""
    if stated_value != actual:
        return Verdict(Status.REFUTED, name, reason=f"stated {stated_value[:60]!r} but is {actual[:60]!r}",
                       counterexample={name: actual[:200]})
    return None


def group_parts(claim_prefix: str, results: list[tuple[str, str, Verdict | None]]) -> list[Verdict]:
    """Aggregate per-instance results ``(family, label, failure or None)`` into one part per family."""
    fams: dict[str, list[tuple[str, Verdict | None]]] = {}
    for fam, lab, bad in results:
        fams.setdefault(fam, []).append((lab, bad))
    parts = []
    for fam, items in fams.items():
        fails = [b for _, b in items if b is not None]
        ps = sorted({lab.split("p=")[1].split(",")[0].split(")")[0] for lab, _ in items}, key=lambda s: int(s) if s.isdigit() else 0)
        name = f"{claim_prefix}: {fam}"
        if not fails:
            parts.append(Verdict(Status.HOLDS, name, evidence=f"{len(items)} instances, p in {{{','.join(ps)}}}, exact"))
        else:
            first = fails[0]
            parts.append(Verdict(first.status, name, reason=f"{len(fails)}/{len(items)} instances fail; first: "
                                 f"{first.claim}: {first.reason}", counterexample=first.counterexample
                                 if first.status is Status.REFUTED else None))
    return parts


def fmt_list(xs: Any) -> list[str]:
    return [fmt(x) for x in xs]


Progress = Callable[[str, float], None] | None
_ = rx  # re-export for claim modules


def coverage(name: str, have: set, want: set) -> "Verdict":
    """HOLDS iff the certificate's instances cover every case its stated parameters claim (trusted)."""
    from nncert.core import Status, Verdict

    missing = sorted(want - have)
    if missing:
        return Verdict(Status.REFUTED, name, reason=f"stated range claims {missing[0]} but no instance covers it",
                       counterexample={"missing": str(missing[0])})
    return Verdict(Status.HOLDS, name, evidence=f"instances cover all {len(want)} stated cases")
