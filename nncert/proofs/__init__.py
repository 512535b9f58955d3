"""Claims of both papers: one module per claim in :mod:`nncert.proofs.claims`, each exposing ``CLAIM``.

A :class:`Claim` pairs an untrusted ``certify(...) -> Certificate`` (may construct, search, sample,
call solvers; it imports :mod:`nncert.constructions` lazily, inside the function) with a trusted
``check(cert, **context) -> Verdict`` that uses only :mod:`nncert.core`, :mod:`nncert.data`,
:mod:`nncert.verify.exact` and the claim's own few lines. ``nncert check`` dispatches on the
certificate's ``claim`` field through :func:`registry` and never imports ``nncert.constructions``.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

from nncert.core import Certificate, Status, Verdict
from nncert.errors import InvalidArgument, InvalidCertificate

__all__ = ["Claim", "registry", "check_certificate", "dependency_graph"]


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


def registry() -> dict[str, Claim]:
    """Every registered claim by id (modules under ``nncert/proofs/claims/`` define ``CLAIM`` or ``CLAIMS``)."""
    global _REGISTRY
    if _REGISTRY is None:
        import nncert.proofs.claims as pkg

        found: dict[str, Claim] = {}
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
            claims = list(getattr(mod, "CLAIMS", ())) + ([mod.CLAIM] if hasattr(mod, "CLAIM") else [])
            for c in claims:
                if c.id in found:
                    raise InvalidArgument(f"claim id {c.id!r} registered twice")
                found[c.id] = c
        _REGISTRY = found
    return _REGISTRY


def check_certificate(cert: Certificate, **context: Any) -> Verdict:
    """Re-check ``cert`` with the trusted ``check`` of the claim it names."""
    claims = registry()
    claim = claims.get(cert.claim)
    if claim is None:
        raise InvalidCertificate(f"unknown claim {cert.claim[:80]!r}; known: {sorted(claims)}")
    verdict = claim.check(cert, **context)
    if not isinstance(verdict, Verdict):  # pragma: no cover - a bug in a claim module
        return Verdict(Status.UNKNOWN, cert.claim, reason="checker returned no verdict")
    return verdict


def dependency_graph() -> Any:
    """The claims' dependency DAG (networkx ``DiGraph``, edge dependency -> dependent)."""
    import networkx as nx

    g = nx.DiGraph()
    for cid, c in registry().items():
        g.add_node(cid)
        for dep in c.depends_on:
            g.add_edge(dep, cid)
    if not nx.is_directed_acyclic_graph(g):
        raise InvalidArgument("claim dependencies contain a cycle")
    return g
