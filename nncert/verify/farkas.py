"""Trusted checking of width-1 (in)feasibility certificates: LPs built from the data, Farkas vectors.

Nothing here calls a solver or imports :mod:`nncert.constructions`: the LPs are rebuilt from the
data alone and a Farkas vector is checked with a few lines of Fraction arithmetic.

LP form
-------
Variables ``v`` (free). Rows are ``(coeffs, rhs, kind)`` meaning ``coeffs . v <= rhs`` (kind
``"le"``) or ``coeffs . v == rhs`` (kind ``"eq"``). A *Farkas vector* ``y`` (one multiplier per row,
``y_r >= 0`` on ``le`` rows, any sign on ``eq`` rows) with ``sum_r y_r coeffs_r == 0`` and
``sum_r y_r rhs_r < 0`` proves that no ``v`` satisfies all rows: summing the rows with weights ``y``
gives ``0 <= (negative number)``.

The LPs (``docs/width_one.md`` proves why they decide width 1)
--------------------------------------------------------------
* :func:`exact_rows` (semantics ``"exact"``): variables ``(w_1..w_d, b)``; with ``lo``/``hi`` the
  smallest/largest label present, point ``i`` gives ``w.x_i + b <= lo`` if ``y_i == lo``,
  ``-(w.x_i + b) <= -hi`` if ``y_i == hi``, else ``w.x_i + b == y_i``. Rows in point order.
* :func:`prefix_rows` (semantics ``"threshold"``, classes ordered along ``w``, prefix
  ``P = (p_1..p_k)`` placed first, every other class after ``p_k``): variables
  ``(w_1..w_d, theta_1..theta_k)``; for each point ``i`` in point order, of class ``c``:
  if ``c == p_j``: the row ``w.x_i - theta_j <= -1`` (when ``j <= k``), then, if ``j > 1``,
  ``-w.x_i + theta_{j-1} <= -1``; if ``c`` is not in ``P``: ``-w.x_i + theta_k <= -1``.
  (Margins of 1 lose nothing: strict separation can be scaled to margin 1.)
* :func:`pair_rows` (two classes ``a``, ``b`` strictly separable in the order ``a < b``):
  :func:`prefix_rows` with prefix ``(a,)`` restricted to the points of classes ``a`` and ``b``.
  Infeasible for ``a < b`` iff infeasible for ``b < a`` (negate ``w`` and ``theta``), so a pair leaf
  rules out every order of the classes.

Certificate tree (JSON)
-----------------------
``{"prefix": [classes...], "leaf": LEAF}`` or ``{"prefix": [...], "children": [NODE, ...]}``; the
root has prefix ``[]``; an internal node with prefix ``P`` has exactly one child ``P + [c]`` for every
class ``c`` present and not in ``P`` and ``len(P) < M - 1``. ``LEAF`` is
``{"kind": "exact", "y": SPARSE}`` (root only, semantics exact), ``{"kind": "order", "y": SPARSE}``
(LP :func:`prefix_rows` of the node's prefix), or ``{"kind": "pair", "classes": [a, b], "y": SPARSE}``.
``SPARSE`` is a list of ``[row index, multiplier]`` string pairs (rows not listed have multiplier 0).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from nncert.core import parse_exact
from nncert.errors import InvalidCertificate

__all__ = ["Row", "exact_rows", "prefix_rows", "pair_rows", "farkas_ok", "check_tree", "sparse_json", "check_width_one", "MAX_TREE_NODES"]

Row = tuple[tuple[Fraction, ...], Fraction, str]
#: Largest certificate tree the checker walks.
MAX_TREE_NODES = 200_000

_ONE, _ZERO = Fraction(1), Fraction(0)


def exact_rows(points: Sequence[Sequence[Fraction]], labels: Sequence[int]) -> list[Row]:
    """Rows of the exact-semantics LP (variables ``w_1..w_d, b``); see the module docstring.

    Examples
    --------
    >>> rows = exact_rows([(Fraction(0),), (Fraction(1),)], [0, 1])
    >>> [(tuple(map(str, c)), str(r), k) for c, r, k in rows]
    [(('0', '1'), '0', 'le'), (('-1', '-1'), '-1', 'le')]
    """
    lo, hi = min(labels), max(labels)
    rows: list[Row] = []
    for x, y in zip(points, labels):
        coeffs = tuple(x) + (_ONE,)
        if y == lo:
            rows.append((coeffs, Fraction(lo), "le"))
        elif y == hi:
            rows.append((tuple(-c for c in coeffs), Fraction(-hi), "le"))
        else:
            rows.append((coeffs, Fraction(y), "eq"))
    return rows


def prefix_rows(points: Sequence[Sequence[Fraction]], labels: Sequence[int], prefix: Sequence[int]) -> list[Row]:
    """Rows of the threshold LP for the class order starting with ``prefix`` (module docstring)."""
    k = len(prefix)
    pos = {c: j for j, c in enumerate(prefix)}
    rows: list[Row] = []
    for x, y in zip(points, labels):
        neg = tuple(-v for v in x)
        j = pos.get(y)
        if j is not None:
            th = [_ZERO] * k
            th[j] = -_ONE
            rows.append((tuple(x) + tuple(th), -_ONE, "le"))
            if j > 0:
                th = [_ZERO] * k
                th[j - 1] = _ONE
                rows.append((neg + tuple(th), -_ONE, "le"))
        else:
            th = [_ZERO] * k
            th[k - 1] = _ONE
            rows.append((neg + tuple(th), -_ONE, "le"))
    return rows


def pair_rows(points: Sequence[Sequence[Fraction]], labels: Sequence[int], a: int, b: int) -> list[Row]:
    """Rows of "class ``a`` strictly below class ``b`` along some ``w``" (module docstring)."""
    keep = [(x, y) for x, y in zip(points, labels) if y in (a, b)]
    return prefix_rows([x for x, _ in keep], [y for _, y in keep], (a,))


def farkas_ok(rows: Sequence[Row], y: dict[int, Fraction]) -> tuple[bool, str]:
    """Does ``y`` prove the rows infeasible? Returns ``(ok, reason)``; pure Fraction arithmetic.

    Examples
    --------
    >>> rows = [((Fraction(1),), Fraction(0), "le"), ((Fraction(-1),), Fraction(-1), "le")]  # v<=0, v>=1
    >>> farkas_ok(rows, {0: Fraction(1), 1: Fraction(1)})
    (True, 'sum of rows: 0 <= -1')
    """
    if not rows:
        return False, "no rows"
    nv = len(rows[0][0])
    total = [_ZERO] * nv
    rhs = _ZERO
    for r, m in y.items():
        if not 0 <= r < len(rows):
            return False, f"row index {r} out of range 0..{len(rows) - 1}"
        coeffs, b, kind = rows[r]
        if kind == "le" and m < 0:
            return False, f"negative multiplier {m} on inequality row {r}"
        if m == 0:
            continue
        for j, c in enumerate(coeffs):
            if c:
                total[j] += m * c
        rhs += m * b
    nz = [j for j, t in enumerate(total) if t != 0]
    if nz:
        return False, f"combined coefficient of variable {nz[0]} is {total[nz[0]]}, not 0"
    if rhs >= 0:
        return False, f"combined right-hand side {rhs} is not negative"
    return True, f"sum of rows: 0 <= {rhs}"


def _sparse(obj: object, where: str) -> dict[int, Fraction]:
    if not isinstance(obj, list):
        raise InvalidCertificate(f"{where}: expected a list of [row, multiplier] pairs")
    out: dict[int, Fraction] = {}
    for n, pair in enumerate(obj):
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) and pair[0].isdigit()
                and len(pair[0]) <= 9 and (pair[0] == "0" or not pair[0].startswith("0"))):
            raise InvalidCertificate(f"{where}[{n}]: expected [\"row index\", \"p/q\"]")
        r = int(pair[0])
        if r in out:
            raise InvalidCertificate(f"{where}: row {r} listed twice")
        out[r] = parse_exact(pair[1], f"{where}[{n}][1]")
    return out


def _class_list(obj: object, m: int, where: str) -> list[int]:
    if not isinstance(obj, list) or not all(isinstance(c, str) and c.isdigit() and len(c) <= 9 for c in obj):
        raise InvalidCertificate(f"{where}: expected a list of class indices as strings")
    out = [int(c) for c in obj]
    if any(str(c) != s for c, s in zip(out, obj)) or any(not 0 <= c < m for c in out) or len(set(out)) != len(out):
        raise InvalidCertificate(f"{where}: class indices must be distinct canonical integers in 0..{m - 1}")
    return out


def check_tree(
    tree: object, points: Sequence[Sequence[Fraction]], labels: Sequence[int], semantics: str
) -> tuple[bool, str, int]:
    """Check an infeasibility tree for ``semantics`` on the data. Returns ``(ok, message, leaves)``.

    Malformed JSON raises :class:`InvalidCertificate`; a well-formed but wrong tree returns
    ``ok=False`` with the first failure in ``message``.
    """
    present = sorted(set(labels))
    m_all = max(labels) + 1
    if len(present) < 2:
        return False, "fewer than two classes present: a constant width-1 network fits", 0
    budget = [MAX_TREE_NODES]
    leaves = [0]

    def visit(node: object, prefix: list[int], where: str) -> tuple[bool, str]:
        budget[0] -= 1
        if budget[0] < 0:
            raise InvalidCertificate(f"certificate tree has more than {MAX_TREE_NODES} nodes")
        if not isinstance(node, dict) or "prefix" not in node or len(node) != 2 or not (
            "leaf" in node or "children" in node
        ):
            raise InvalidCertificate(f"{where}: expected {{'prefix', 'leaf'}} or {{'prefix', 'children'}}")
        if _class_list(node["prefix"], m_all, f"{where}.prefix") != prefix:
            return False, f"{where}: prefix {node['prefix']} should be {[str(c) for c in prefix]}"
        if "children" in node:
            kids = node["children"]
            if semantics != "threshold":
                return False, f"{where}: case splits only occur in threshold semantics"
            if len(prefix) >= len(present) - 1:
                return False, f"{where}: a full order needs no further split"
            rest = [c for c in present if c not in prefix]
            if not isinstance(kids, list) or len(kids) != len(rest):
                return False, f"{where}: needs exactly one child per remaining class {rest}"
            for c, kid in zip(rest, kids):
                ok, msg = visit(kid, prefix + [c], f"{where}.children[{c}]")
                if not ok:
                    return ok, msg
            return True, ""
        leaf = node["leaf"]
        if not isinstance(leaf, dict) or not isinstance(leaf.get("kind"), str):
            raise InvalidCertificate(f"{where}.leaf: expected an object with a 'kind'")
        kind = leaf["kind"]
        expected = {"exact": {"kind", "y"}, "order": {"kind", "y"}, "pair": {"kind", "classes", "y"}}.get(kind)
        if expected is None or set(leaf) != expected:
            raise InvalidCertificate(f"{where}.leaf: unknown kind or fields {sorted(leaf)}")
        y = _sparse(leaf["y"], f"{where}.leaf.y")
        leaves[0] += 1
        if kind == "exact":
            if semantics != "exact" or prefix:
                return False, f"{where}: an 'exact' leaf belongs at the root of an exact-semantics tree"
            rows = exact_rows(points, labels)
        elif kind == "order":
            if semantics != "threshold" or not prefix:
                return False, f"{where}: an 'order' leaf needs threshold semantics and a non-empty prefix"
            rows = prefix_rows(points, labels, prefix)
        else:
            if semantics != "threshold":
                return False, f"{where}: a 'pair' leaf belongs to threshold semantics"
            ab = _class_list(leaf["classes"], m_all, f"{where}.leaf.classes")
            if len(ab) != 2 or not all(c in present for c in ab):
                return False, f"{where}: a pair leaf names two present classes"
            rows = pair_rows(points, labels, ab[0], ab[1])
        ok, msg = farkas_ok(rows, y)
        return ok, ("" if ok else f"{where}: {msg}")

    ok, msg = visit(tree, [], "tree")
    return ok, (msg or f"{leaves[0]} Farkas leaf/leaves verified"), leaves[0]


def sparse_json(y: dict[int, Fraction]) -> list[list[str]]:
    """JSON form of a sparse multiplier vector (zeros dropped, rows ascending)."""
    from nncert.core import fmt

    return [[str(r), fmt(v)] for r, v in sorted(y.items()) if v != 0]


def check_width_one(witness: object, data: "Dataset") -> "Verdict":
    """Trusted check of one width-1 decision (``WidthOneResult.witness_json()`` form) on ``data``.

    ``feasible``: the network has width 1 (every hidden layer one neuron, one output) and, for
    semantics ``exact``, outputs exactly the class index at every point (exact evaluator); for
    ``threshold``, ``order`` lists every present class once, the thresholds increase strictly and each
    point's exact output lies strictly between the thresholds of its class. ``infeasible``: the
    Farkas tree checks (:func:`check_tree`). Malformed input raises :class:`InvalidCertificate`.
    """
    from nncert.core import Network, Status, Verdict
    from nncert.verify.exact import check_classification, evaluate_many

    name = "width-1"
    if not isinstance(witness, dict) or set(witness) != {"semantics", "verdict", "network", "order", "thresholds", "tree"}:
        raise InvalidCertificate("width-1 witness needs exactly semantics, verdict, network, order, thresholds, tree")
    sem, verdict = witness["semantics"], witness["verdict"]
    if sem not in ("exact", "threshold") or verdict not in ("feasible", "infeasible"):
        raise InvalidCertificate(f"width-1 witness: semantics {str(sem)[:20]!r} / verdict {str(verdict)[:20]!r} unknown")
    name = f"width-1 {sem}"
    unused = {"infeasible": ("network", "order", "thresholds"), "feasible": ("tree",) + (("order", "thresholds")
                                                                                    if sem == "exact" else ())}[verdict]
    if any(witness[k] is not None for k in unused):
        raise InvalidCertificate(f"{name} {verdict}: fields {list(unused)} must be null")
    pts, labels = data.points, data.labels
    present = sorted(set(labels))
    if verdict == "infeasible":
        if witness["tree"] is None:
            raise InvalidCertificate(f"{name}: 'infeasible' needs a tree")
        ok, msg, leaves = check_tree(witness["tree"], pts, labels, sem)
        if ok:
            return Verdict(Status.HOLDS, f"{name} infeasible", evidence=f"no width-1 network: {msg}")
        return Verdict(Status.REFUTED, f"{name} infeasible", reason=msg, counterexample={"tree": msg[:200]})
    if witness["network"] is None:
        raise InvalidCertificate(f"{name}: 'feasible' needs a network")
    net = Network.from_json(witness["network"], f"{name}.network")
    if net.input_dim != data.d or net.output_dim != 1 or not net.widths or any(w != 1 for w in net.widths):
        return Verdict(Status.REFUTED, f"{name} feasible", reason=f"witness widths {list(net.widths)}, "
                       f"{net.input_dim} inputs, {net.output_dim} outputs (need width 1, d={data.d}, 1 output)",
                       counterexample={"widths": str(list(net.widths))})
    if sem == "exact":
        v = check_classification(net, pts, labels).verdict
        if v.holds:
            return Verdict(Status.HOLDS, f"{name} feasible", evidence=f"width-1 depth-{net.depth} witness: {v.evidence}")
        return Verdict(Status.REFUTED, f"{name} feasible", reason=v.reason, counterexample=v.counterexample)
    order = _class_list(witness["order"], data.m, f"{name}.order")
    ths = witness["thresholds"]
    if not isinstance(ths, list):
        raise InvalidCertificate(f"{name}: thresholds must be a list")
    th = [parse_exact(t, f"{name}.thresholds[{k}]") for k, t in enumerate(ths)]
    if sorted(order) != present or len(th) != len(order) - 1 or any(a >= b for a, b in zip(th, th[1:])):
        return Verdict(Status.REFUTED, f"{name} feasible", reason="order must list every present class once and "
                       "thresholds must increase strictly (one fewer than classes)", counterexample={"order": str(order)})
    pos = {c: j for j, c in enumerate(order)}
    outs = evaluate_many(net, pts)
    for i, (out, lab) in enumerate(zip(outs, labels)):
        j, f = pos[lab], out[0]
        if (j > 0 and not f > th[j - 1]) or (j < len(th) and not f < th[j]):
            return Verdict(Status.REFUTED, f"{name} feasible", reason=f"point {i} (class {lab}) has output {f} "
                           "outside its class interval", counterexample={"point": str(i), "output": str(f)})
    return Verdict(Status.HOLDS, f"{name} feasible",
                   evidence=f"width-1 depth-{net.depth} witness separates {len(order)} classes by thresholds")
