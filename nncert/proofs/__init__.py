"""Claims of both papers: one module per claim in :mod:`nncert.proofs.claims`, each exposing ``CLAIM``.

A :class:`Claim` pairs an untrusted ``certify(...) -> Certificate`` (may construct, search, sample,
call solvers; it imports :mod:`nncert.constructions` lazily, inside the function) with a trusted
``check(cert, **context) -> Verdict`` that uses only :mod:`nncert.core`, :mod:`nncert.data`,
:mod:`nncert.verify.exact` and the claim's own few lines. ``nncert check`` dispatches on the
certificate's ``claim`` field through :func:`registry` and never imports ``nncert.constructions``.

Dependencies between claims (``Claim.depends_on`` and the catalogue's ``depends_on``) form a DAG
(:func:`dependency_graph`); :func:`topological_order` is the order in which ``nncert claims`` and
``nncert check DIR`` check them, so a dependency is always decided before its dependents.

A claim module that fails to import, or two modules registering the same id, do not break the
registry for everybody else: the affected module / id is left out and the problem is recorded in
:func:`load_errors` (``nncert claims`` shows it as the reason of that claim's UNKNOWN row, and
``check_certificate`` names it when asked for such a claim).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from nncert.core import Certificate, Status, Verdict
from nncert.errors import InvalidArgument, InvalidCertificate

__all__ = [
    "Claim",
    "registry",
    "load_errors",
    "check_certificate",
    "dependency_graph",
    "topological_order",
    "dependency_cycles",
]


@dataclass(frozen=True)
class Claim:
    """One checkable claim of a paper.

    ``quick`` builds the certificate on the claim's bundled default inputs (for ``nncert claims``);
    ``depends_on`` lists claim ids whose failure leaves this one unchecked.
    """

    id: str
    statement: str
    paper_part: str
    certify: Callable[..., Certificate]
    check: Callable[..., Verdict]
    depends_on: tuple[str, ...] = ()
    quick: Callable[[], Certificate] | None = None
    full: Callable[[], Certificate] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, Claim] | None = None
_LOAD_ERRORS: dict[str, str] = {}


def registry() -> dict[str, Claim]:
    """Every registered claim by id (modules under ``nncert/proofs/claims/`` define ``CLAIM`` or ``CLAIMS``).

    A module that raises on import, exposes something that is not a :class:`Claim`, or registers an
    id another module registers too, is left out (both registrations of a duplicated id are dropped,
    so no certificate is ever checked by an ambiguous checker); see :func:`load_errors`.
    """
    global _REGISTRY
    if _REGISTRY is None:
        import nncert.proofs.claims as pkg

        found: dict[str, Claim] = {}
        owner: dict[str, str] = {}
        duplicated: dict[str, list[str]] = {}
        errors: dict[str, str] = {}
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            name = f"{pkg.__name__}.{info.name}"
            try:
                mod = importlib.import_module(name)
                claims = list(getattr(mod, "CLAIMS", ())) + ([mod.CLAIM] if hasattr(mod, "CLAIM") else [])
            except Exception as err:  # noqa: BLE001 - one broken module must not hide every other claim
                errors[name] = f"module {name} failed to import ({type(err).__name__}: {_first_line(err)})"
                continue
            for c in claims:
                if not isinstance(c, Claim):
                    errors[name] = f"module {name} exposes {type(c).__name__}, not a Claim"
                    continue
                if c.id in owner:
                    duplicated.setdefault(c.id, [owner[c.id]]).append(name)
                    continue
                owner[c.id] = name
                found[c.id] = c
        for cid, mods in duplicated.items():
            found.pop(cid, None)
            errors[cid] = f"claim id {cid!r} registered twice ({', '.join(mods)}); neither registration is used"
        _LOAD_ERRORS.clear()
        _LOAD_ERRORS.update(errors)
        _REGISTRY = found
    return _REGISTRY


def load_errors() -> dict[str, str]:
    """Problems found while building :func:`registry`: module name or claim id -> one-line message."""
    registry()
    return dict(_LOAD_ERRORS)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else ""


def check_certificate(cert: Certificate, **context: Any) -> Verdict:
    """Re-check ``cert`` with the trusted ``check`` of the claim it names."""
    claims = registry()
    claim = claims.get(cert.claim)
    if claim is None:
        why = _LOAD_ERRORS.get(cert.claim)
        extra = f" ({why})" if why else ""
        if not why and _LOAD_ERRORS:
            extra = " (claim modules with problems: " + "; ".join(sorted(_LOAD_ERRORS.values()))[:300] + ")"
        raise InvalidCertificate(f"unknown claim {cert.claim[:80]!r}{extra}; known: {sorted(claims)}")
    verdict = claim.check(cert, **context)
    if not isinstance(verdict, Verdict):  # pragma: no cover - a bug in a claim module
        return Verdict(Status.UNKNOWN, cert.claim, reason="checker returned no verdict")
    return verdict


def _edges(claims: dict[str, Claim], catalogue: bool) -> tuple[list[str], list[tuple[str, str]]]:
    nodes: list[str] = []
    edges: list[tuple[str, str]] = []
    if catalogue:
        from nncert.proofs.catalogue import CATALOGUE

        for e in CATALOGUE:
            nodes.append(e.id)
            edges.extend((dep, e.id) for dep in e.depends_on)
    for cid, c in claims.items():
        nodes.append(cid)
        edges.extend((dep, cid) for dep in c.depends_on)
    return nodes, edges


def dependency_graph(*, catalogue: bool = False, claims: dict[str, Claim] | None = None) -> Any:
    """The claims' dependency DAG (networkx ``DiGraph``, edge dependency -> dependent).

    With ``catalogue=True`` the graph also holds every :data:`~nncert.proofs.catalogue.CATALOGUE`
    entry and its dependencies (registered or not). ``claims`` replaces :func:`registry` (tests).
    Raises :class:`~nncert.errors.InvalidArgument` naming a cycle if there is one.

    Examples
    --------
    >>> g = dependency_graph(catalogue=True)
    >>> g.has_edge("P1.memorization.width2_depth", "P1.memorization.width_sharpness")
    True
    """
    g = _graph(claims if claims is not None else registry(), catalogue)
    cycles = dependency_cycles(g)
    if cycles:
        raise InvalidArgument("claim dependencies contain a cycle: " + " -> ".join(cycles[0] + [cycles[0][0]]))
    return g


def _graph(claims: dict[str, Claim], catalogue: bool) -> Any:
    import networkx as nx

    g = nx.DiGraph()
    nodes, edges = _edges(claims, catalogue)
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return g


def dependency_cycles(g: Any) -> list[list[str]]:
    """Every strongly connected group of claims that depend on each other (self-loops included), sorted."""
    import networkx as nx

    out = []
    for comp in nx.strongly_connected_components(g):
        if len(comp) > 1 or any(g.has_edge(n, n) for n in comp):
            out.append(sorted(comp))
    return sorted(out)


def topological_order(ids: Iterable[str] | None = None, *, claims: dict[str, Claim] | None = None) -> list[str]:
    """Claim ids in an order where every dependency comes before its dependents.

    Ties keep catalogue order, then registered claims that are not in the catalogue by id. ``ids``
    restricts the result (default: catalogue plus registry). Claims on a dependency cycle, and
    everything depending on them, come last in id order (the runner marks them NOT CHECKED).

    Examples
    --------
    >>> order = topological_order()
    >>> order.index("P2.trajectory_rate") < order.index("P2.tv_rate")
    True
    """
    from nncert.proofs.catalogue import CATALOGUE

    g = _graph(claims if claims is not None else registry(), True)
    order = _cycle_safe_order(g, [e.id for e in CATALOGUE])
    if ids is None:
        return order
    wanted = set(ids)
    unknown = wanted - set(order)
    return [n for n in order if n in wanted] + sorted(unknown)


def _cycle_safe_order(graph: Any, known: Iterable[str]) -> list[str]:
    """Dependency order of ``graph``'s nodes (ties: position in ``known``, then id); nodes on a cycle and
    everything depending on them come last, in the same tie order."""
    import networkx as nx

    rank = {cid: i for i, cid in enumerate(known)}
    key = lambda n: (rank.get(n, len(rank)), n)  # noqa: E731
    blocked: set[str] = set()
    for comp in dependency_cycles(graph):
        for n in comp:
            blocked.add(n)
            blocked.update(nx.descendants(graph, n))
    acyclic = graph.subgraph(n for n in graph if n not in blocked)
    return list(nx.lexicographical_topological_sort(acyclic, key=key)) + sorted(blocked, key=key)
