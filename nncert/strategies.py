"""Hypothesis strategies for exact data sets, ReLU networks, batch schemes and certificates.

Use them in your own property-based tests (see ``docs/strategies.md`` and ``docs/tutorial.md``)::

    from hypothesis import given
    from nncert.strategies import datasets, networks

    @given(datasets(n=(2, 10), d=2, classes=3, delta="1/4"))
    def test_my_construction(ds): ...

Every strategy *builds* its values (no filtering), so examples shrink towards small, simple ones:
few points, the origin, integer coordinates, zero weights, one block, ``q = 1``. Every argument is
validated when the strategy is created: a bad one raises :class:`~nncert.errors.InvalidArgument`
naming the argument.

Exact values are :class:`fractions.Fraction`; rational arguments (``delta``, ``max_abs``,
``near_gap``) accept ``int``, ``Fraction``, or decimal text (``"0.1"`` is exactly 1/10); floats are
rejected (as everywhere in nncert).

With nncert installed, ``st.from_type(nncert.Network)``, ``st.from_type(nncert.Dataset)`` and
``st.from_type(nncert.Certificate)`` use these strategies (hypothesis entry point ``hypothesis``,
registered by :func:`nncert._hypothesis_hook.setup`; importing this module registers them too).
"""

from __future__ import annotations

import functools
from fractions import Fraction
from numbers import Integral
from typing import Any, Sequence

from hypothesis import strategies as st

from nncert.core import Certificate, Network, fmt, to_fraction
from nncert.data import Dataset
from nncert.errors import InvalidArgument

__all__ = ["datasets", "networks", "batch_schemes", "certificates", "CERTIFICATE_KINDS", "BATCH_KINDS"]

#: Kinds accepted by :func:`certificates` (besides any registered claim id).
CERTIFICATE_KINDS = ("memorization", "tampered", "malformed")
#: Scheme kinds accepted by :func:`batch_schemes`.
BATCH_KINDS = ("full", "bernoulli", "uniform", "partition", "family")

_MEMO = "P1.memorization.width2_depth"


# -- argument checks ---------------------------------------------------------------------------------------
def _int(value: object, name: str, lo: int = 0, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidArgument(f"{name} must be an integer but got {name}={value!r} ({type(value).__name__})")
    v = int(value)
    if v < lo or (hi is not None and v > hi):
        rng = f">= {lo}" if hi is None else f"in {lo}..{hi}"
        raise InvalidArgument(f"{name} must be {rng} but got {name}={v}")
    return v


def _size(value: object, name: str, lo: int = 1, hi: int = 10_000) -> tuple[int, int]:
    """An int, or a pair (min, max) inclusive."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise InvalidArgument(f"{name} must be an integer or a pair (min, max) but got {name}={value!r}")
        a, b = _int(value[0], f"{name}[0]", lo, hi), _int(value[1], f"{name}[1]", lo, hi)
        if a > b:
            raise InvalidArgument(f"{name} must have min <= max but got {name}={tuple(value)!r}")
        return a, b
    v = _int(value, name, lo, hi)
    return v, v


def _rational(value: object, name: str, positive: bool = True) -> Fraction:
    try:
        v = to_fraction(value, name)
    except InvalidArgument as err:
        raise InvalidArgument(f"{name}: {err}") from None
    if positive and v <= 0:
        raise InvalidArgument(f"{name} must be > 0 but got {name}={fmt(v)}")
    return v


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name} must be True or False but got {name}={value!r}")
    return value


# -- distinct integer vectors, built (no rejection) --------------------------------------------------------
def _zigzag(k: int) -> int:
    """0, 1, -1, 2, -2, ...: index -> integer, so index 0 is the origin (shrinks to 0)."""
    return (k + 1) // 2 if k % 2 else -(k // 2)


@st.composite
def _distinct_indices(draw: Any, count: int, cap: int) -> list[int]:
    """``count`` distinct integers in ``range(cap)``; built, shrinking towards 0..count-1."""
    if cap >= 2 * count:
        return draw(st.lists(st.integers(0, cap - 1), min_size=count, max_size=count, unique=True))
    slack = cap - count
    out, cur = [], -1
    for _ in range(count):
        gap = draw(st.integers(0, slack))
        slack -= gap
        cur += 1 + gap
        out.append(cur)
    return draw(st.permutations(out))


def _vector(index: int, radius: int, d: int) -> tuple[int, ...]:
    base = 2 * radius + 1
    out = []
    for _ in range(d):
        index, digit = divmod(index, base)
        out.append(_zigzag(digit))
    return tuple(out)


# -- datasets ----------------------------------------------------------------------------------------------
def datasets(
    n: int | tuple[int, int],
    d: int,
    classes: int = 2,
    *,
    delta: object = None,
    collinear: bool = False,
    near_duplicates: int | bool = 0,
    near_gap: object = None,
    max_abs: object = 8,
    max_denominator: int | None = None,
) -> st.SearchStrategy[Dataset]:
    """Labelled data sets of distinct exact rational points (:class:`nncert.Dataset`).

    Parameters
    ----------
    n : number of points, or a pair ``(min, max)``; every data set has exactly that many distinct points.
    d : dimension (>= 1).
    classes : number of classes M (1 <= M <= min n); every class has at least one point, labels are
        ``0..M-1`` (``Dataset.classes == ("0", ..., "M-1")``).
    delta : if given, every two points are at least ``delta`` apart in the max-norm (so in every
        p-norm): points lie on the lattice ``delta * Z^d``.
    collinear : all points on one line ``a + t v`` (``v`` has entries in {-1, 0, 1}, at least one 1).
    near_duplicates : number of near-duplicate pairs (``True``: between 1 and n // 2): a point and a
        copy moved by exactly ``near_gap`` in one coordinate (along the line if ``collinear``); the two
        labels are drawn independently. Not combinable with ``delta``.
    near_gap : distance of a near-duplicate pair (max-norm), ``0 < near_gap < h / 2`` where ``h`` is the
        lattice step ``1 / max_denominator``; default ``min(h, max_abs) / 1000``.
    max_abs : every coordinate has ``|x| <= max_abs``.
    max_denominator : without ``delta``, points lie on ``(1/q) Z^d`` with ``q <= max_denominator``
        (default 4), so every denominator divides some ``q <= max_denominator`` (near-duplicate copies
        excepted). Not combinable with ``delta`` (then the lattice step is ``delta``).

    Raises
    ------
    InvalidArgument
        naming the argument, e.g. ``classes`` larger than ``n``, or ``max_abs`` too small to hold
        ``n`` distinct points at separation ``delta``.

    Examples
    --------
    >>> from hypothesis import find
    >>> ds = find(datasets(5, 2, classes=3, delta="1/2"), lambda ds: True)   # the simplest example
    >>> ds.n, ds.d, ds.m, sorted(set(ds.labels)), ds.points[:2]
    (5, 2, 3, [0, 1, 2], ((Fraction(0, 1), Fraction(0, 1)), (Fraction(1, 2), Fraction(0, 1))))
    """
    n_lo, n_hi = _size(n, "n")
    d = _int(d, "d", 1, 1000)
    m = _int(classes, "classes", 1)
    if m > n_lo:
        raise InvalidArgument(f"classes must be <= n (every class needs a point) but got classes={m} > n={n_lo}")
    collinear = _bool(collinear, "collinear")
    if delta is not None:
        delta = _rational(delta, "delta")
        if max_denominator is not None:
            raise InvalidArgument("max_denominator cannot be combined with delta (the lattice step is delta)")
    q_max = 4 if max_denominator is None else _int(max_denominator, "max_denominator", 1, 10**6)
    bound = _rational(max_abs, "max_abs")
    if isinstance(near_duplicates, bool):
        k_range = (1, n_lo // 2) if near_duplicates else (0, 0)
        if near_duplicates and n_lo < 2:
            raise InvalidArgument(f"near_duplicates=True needs n >= 2 but got n={n_lo}")
    else:
        k = _int(near_duplicates, "near_duplicates", 0)
        if 2 * k > n_lo:
            raise InvalidArgument(f"near_duplicates must be <= n // 2 but got near_duplicates={k} with n={n_lo}")
        k_range = (k, k)
    if k_range[1] > 0 and delta is not None:
        raise InvalidArgument("near_duplicates cannot be combined with delta (near-duplicate pairs are closer "
                              "than any separation)")
    if near_gap is not None:
        if k_range[1] == 0:
            raise InvalidArgument("near_gap needs near_duplicates")
        near_gap = _rational(near_gap, "near_gap")
        if not near_gap < Fraction(1, 2 * q_max) or near_gap > bound:
            raise InvalidArgument(f"near_gap must satisfy 0 < near_gap < 1/(2*max_denominator) = "
                                  f"{fmt(Fraction(1, 2 * q_max))} and near_gap <= max_abs but got near_gap={fmt(near_gap)}")

    def capacity(step: Fraction) -> int:
        r = int(bound / step)  # floor
        if collinear:
            return 2 * (r - r // 2) + 1
        return (2 * r + 1) ** d if d * (2 * r + 1).bit_length() < 64 else 1 << 62

    need = n_hi - k_range[0]
    if delta is not None:
        steps = [delta]
        if capacity(delta) < need:
            raise InvalidArgument(f"max_abs={fmt(bound)} is too small for {need} points "
                                  f"{'on a line ' if collinear else ''}at separation delta={fmt(delta)} in d={d}")
    else:
        steps = [Fraction(1, q) for q in range(1, q_max + 1) if capacity(Fraction(1, q)) >= need]
        if not steps:
            raise InvalidArgument(f"max_abs={fmt(bound)} is too small for {need} distinct points "
                                  f"{'on a line ' if collinear else ''}with denominators <= {q_max} in d={d}")

    @st.composite
    def build(draw: Any) -> Dataset:
        size = draw(st.integers(n_lo, n_hi))
        k = draw(st.integers(k_range[0], min(k_range[1], size // 2)))
        h = draw(st.sampled_from(steps))
        gap = near_gap if near_gap is not None else min(h, bound) / 1000
        base_n = size - k
        r = int(bound / h)
        if collinear:
            ra, rt = r // 2, r - r // 2
            anchor = draw(st.tuples(*[st.integers(-ra, ra)] * d))
            direction = list(draw(st.tuples(*[st.integers(-1, 1)] * d)))
            direction[draw(st.integers(0, d - 1))] = 1
            ts = [_zigzag(i) for i in draw(_distinct_indices(base_n, 2 * rt + 1))]
            params = [Fraction(t) for t in ts]
            twins = draw(st.lists(st.integers(0, base_n - 1), min_size=k, max_size=k, unique=True))
            # move the copy's t towards 0 by gap/h (stays inside the box, off the integer t's)
            params += [t - gap / h if t > 0 else t + gap / h for t in (params[i] for i in twins)]
            points = [tuple(h * (a + t * v) for a, v in zip(anchor, direction)) for t in params]
        else:
            cap = capacity(h)
            vecs = [_vector(i, r, d) for i in draw(_distinct_indices(base_n, cap))]
            points = [tuple(h * z for z in vec) for vec in vecs]
            twins = draw(st.lists(st.integers(0, base_n - 1), min_size=k, max_size=k, unique=True))
            for i in twins:
                j = draw(st.integers(0, d - 1))
                p = list(points[i])
                p[j] = p[j] - gap if p[j] > 0 else p[j] + gap  # towards 0: stays within max_abs
                points.append(tuple(p))
        extra = [draw(st.integers(0, m - 1)) for _ in range(size - m)]
        labels = draw(st.permutations(list(range(m)) + extra))
        order = draw(st.permutations(range(size)))
        pts = tuple(tuple(Fraction(v) for v in points[i]) for i in order)
        return Dataset(pts, tuple(labels), tuple(str(c) for c in range(m)), "int", "exact", (), "hypothesis")

    return build()


# -- networks ----------------------------------------------------------------------------------------------
def _entries(bound: Fraction, q_max: int) -> st.SearchStrategy[Fraction]:
    @st.composite
    def entry(draw: Any) -> Fraction:
        q = draw(st.integers(1, q_max))
        top = int(bound * q)
        return Fraction(draw(st.integers(-top, top)), q)

    return entry()


def networks(
    widths: Sequence[int] | None = None,
    *,
    input_dim: int | None = None,
    output_dim: int = 1,
    max_abs: object = 4,
    max_denominator: int = 4,
    max_depth: int | None = None,
    max_width: int | None = None,
) -> st.SearchStrategy[Network]:
    """Exact ReLU networks (:class:`nncert.Network`) with rational weights and biases.

    Parameters
    ----------
    widths : hidden layer widths (``()`` = affine map); ``None`` draws them: depth ``0..max_depth``
        (default 3), each width ``1..max_width`` (default 4).
    input_dim : number of inputs; ``None`` draws 1..3.
    output_dim : number of outputs (default 1).
    max_abs : every weight and bias has ``|w| <= max_abs``.
    max_denominator : every weight and bias is ``a / q`` with ``1 <= q <= max_denominator``.
    max_depth, max_width : only with ``widths=None``.

    Raises
    ------
    InvalidArgument
        naming the argument (e.g. a width of 0, ``max_depth`` together with ``widths``).

    Examples
    --------
    >>> from hypothesis import find
    >>> net = find(networks([2, 3], input_dim=2), lambda net: net([1, 1]) != (0,))
    >>> net.widths, net.input_dim, net.output_dim, net([1, 1])
    ((2, 3), 2, 1, (Fraction(1, 1),))
    """
    if widths is not None:
        if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__"):
            raise InvalidArgument(f"widths must be a sequence of positive integers but got widths={widths!r}")
        fixed = tuple(_int(w, f"widths[{i}]", 1, 10_000) for i, w in enumerate(widths))
        for name, val in (("max_depth", max_depth), ("max_width", max_width)):
            if val is not None:
                raise InvalidArgument(f"{name} only applies with widths=None (the widths are given)")
    else:
        fixed = None
        depth_hi = _int(3 if max_depth is None else max_depth, "max_depth", 0, 1000)
        width_hi = _int(4 if max_width is None else max_width, "max_width", 1, 10_000)
    d_in = None if input_dim is None else _int(input_dim, "input_dim", 1, 10_000)
    d_out = _int(output_dim, "output_dim", 1, 10_000)
    bound = _rational(max_abs, "max_abs", positive=False)
    if bound < 0:
        raise InvalidArgument(f"max_abs must be >= 0 but got max_abs={fmt(bound)}")
    q_max = _int(max_denominator, "max_denominator", 1, 10**6)
    entry = _entries(bound, q_max)

    @st.composite
    def build(draw: Any) -> Network:
        ws = fixed if fixed is not None else tuple(
            draw(st.lists(st.integers(1, width_hi), min_size=0, max_size=depth_hi)))
        din = d_in if d_in is not None else draw(st.integers(1, 3))
        sizes = (din, *ws, d_out)
        weights, biases = [], []
        for a, b in zip(sizes, sizes[1:]):
            weights.append(tuple(tuple(draw(entry) for _ in range(a)) for _ in range(b)))
            biases.append(tuple(draw(entry) for _ in range(b)))
        return Network(tuple(weights), tuple(biases))

    return build()


# -- batch schemes -----------------------------------------------------------------------------------------
def batch_schemes(
    p: int | tuple[int, int],
    *,
    kinds: Sequence[str] = ("bernoulli", "uniform", "partition", "family"),
    max_denominator: int = 8,
    max_batches: int = 4,
) -> st.SearchStrategy[Any]:
    """Random-batch schemes on ``p`` neurons (objects of :mod:`nncert.constructions.batches`).

    Parameters
    ----------
    p : number of neurons, or a pair ``(min, max)``.
    kinds : which schemes to draw, any of :data:`BATCH_KINDS`: ``"bernoulli"`` (``Bernoulli(p, q)``,
        ``q = a/b`` in (0, 1] with ``b <= max_denominator``), ``"uniform"`` (``Uniform(p, r)``, ``1 <= r <= p``),
        ``"partition"`` (``Partition(blocks)``: a random order of ``0..p-1`` cut into consecutive blocks),
        ``"family"`` (``FiniteFamily(p, batches, probs)``: 1..``max_batches`` subsets covering every index,
        probabilities ``w_j / sum w`` with integer weights ``1..max_denominator``), ``"full"`` (``Full(p)``).
    max_denominator : bound on the denominators of ``q`` and of the family weights.
    max_batches : largest number of batches of a finite family.

    Raises
    ------
    InvalidArgument
        naming the argument; also if :mod:`nncert.constructions.batches` is missing from this install.

    Examples
    --------
    >>> from hypothesis import find
    >>> s = find(batch_schemes(4, kinds=["uniform"]), lambda s: s.r > 1)
    >>> type(s).__name__, s.p, s.r, s.expected_size()
    ('Uniform', 4, 2, Fraction(2, 1))
    """
    p_lo, p_hi = _size(p, "p", 1, 4096)
    if isinstance(kinds, str) or not hasattr(kinds, "__iter__"):
        raise InvalidArgument(f"kinds must be a sequence of scheme names but got kinds={kinds!r}")
    chosen = tuple(dict.fromkeys(kinds))
    if not chosen:
        raise InvalidArgument("kinds must name at least one scheme")
    for kd in chosen:
        if kd not in BATCH_KINDS:
            raise InvalidArgument(f"kinds: unknown scheme {kd!r}; choose from {list(BATCH_KINDS)}")
    q_max = _int(max_denominator, "max_denominator", 1, 10**6)
    b_max = _int(max_batches, "max_batches", 1, 1000)
    try:
        from nncert.constructions import batches as B
    except ImportError as err:  # pragma: no cover - the module ships with nncert
        raise InvalidArgument(f"batch_schemes needs nncert.constructions.batches, which is not available ({err})") from None

    @st.composite
    def bernoulli(draw: Any, p: int) -> Any:
        b = draw(st.integers(1, q_max))
        a = b - draw(st.integers(0, b - 1))  # shrinks to q = 1
        return B.Bernoulli(p, Fraction(a, b))

    @st.composite
    def uniform(draw: Any, p: int) -> Any:
        return B.Uniform(p, draw(st.integers(1, p)))

    @st.composite
    def partition(draw: Any, p: int) -> Any:
        order = draw(st.permutations(range(p)))
        cuts = draw(st.lists(st.booleans(), min_size=p - 1, max_size=p - 1))
        blocks, cur = [], [order[0]]
        for i, cut in zip(order[1:], cuts):
            if cut:
                blocks.append(cur)
                cur = []
            cur.append(i)
        blocks.append(cur)
        return B.Partition(blocks)

    @st.composite
    def family(draw: Any, p: int) -> Any:
        count = draw(st.integers(1, b_max))
        member = [draw(st.lists(st.booleans(), min_size=p, max_size=p)) for _ in range(count)]
        for i in range(p):  # every index in some batch (pi_i > 0): put uncovered ones in a drawn batch
            if not any(row[i] for row in member):
                member[draw(st.integers(0, count - 1))][i] = True
        weights = [draw(st.integers(1, q_max)) for _ in range(count)]
        total = sum(weights)
        batches = [[i for i in range(p) if row[i]] for row in member]
        return B.FiniteFamily(p, batches, [Fraction(w, total) for w in weights])

    makers = {"full": lambda p: st.just(B.Full(p)), "bernoulli": bernoulli, "uniform": uniform,
              "partition": partition, "family": family}
    return st.integers(p_lo, p_hi).flatmap(lambda p: st.one_of(*[makers[kd](p) for kd in chosen]))


# -- certificates ------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _quick_certificate(claim_id: str) -> str:
    from nncert.proofs import registry

    return registry()[claim_id].quick().dumps()


def _memorization(max_points: int) -> st.SearchStrategy[Certificate]:
    def make(ds: Dataset) -> Certificate:
        from nncert.proofs.claims.p1_memorization import certify

        return certify(ds, z3=False)

    @st.composite
    def data(draw: Any) -> Dataset:
        d = draw(st.integers(1, 3))
        m = draw(st.integers(1, 3))
        return draw(datasets((m, max(m, max_points)), d, m, max_abs=4))

    return data().map(make)


def _tampered(max_points: int) -> st.SearchStrategy[Certificate]:
    @st.composite
    def build(draw: Any) -> Certificate:
        cert = draw(_memorization(max_points))
        obj = cert.to_json()
        how = draw(st.sampled_from(["param", "data_sha256", "label"]))
        if how == "param":
            key = draw(st.sampled_from(["N", "M", "d", "width", "depth", "affine_maps", "depth_bound"]))
            obj["params"][key] = str(int(obj["params"][key]) + draw(st.integers(1, 3)))
        elif how == "data_sha256":
            sha = obj["witness"]["data_sha256"]
            i = draw(st.integers(0, len(sha) - 1))
            obj["witness"]["data_sha256"] = sha[:i] + ("0" if sha[i] != "0" else "1") + sha[i + 1:]
        else:  # relabel one point: the embedded data no longer matches its recorded sha256
            labels = obj["witness"]["data"]["labels"]
            classes = len(obj["witness"]["data"]["classes"])
            i = draw(st.integers(0, len(labels) - 1))
            if classes > 1:
                labels[i] = str((int(labels[i]) + draw(st.integers(1, classes - 1))) % classes)
            else:
                obj["params"]["M"] = "2"
        return Certificate.from_json(obj)

    return build()


def _malformed(max_points: int) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: Any) -> str:
        import json

        cert = draw(_memorization(max_points))
        obj = cert.to_json()
        how = draw(st.sampled_from(["drop", "extra", "schema", "number", "noncanonical", "truncate"]))
        if how == "drop":
            del obj[draw(st.sampled_from(sorted(obj)))]
        elif how == "extra":
            obj["signature"] = "none"
        elif how == "schema":
            obj["schema"] = "nncert-certificate/0"
        elif how == "number":
            key = draw(st.sampled_from(sorted(obj["params"])))
            obj["params"][key] = int(obj["params"][key])
        elif how == "noncanonical":
            w = obj["witness"]["network"]["biases"]
            k = draw(st.integers(0, len(w) - 1))
            r = draw(st.integers(0, len(w[k]) - 1))
            v = Fraction(w[k][r])
            w[k][r] = f"{2 * v.numerator}/{2 * v.denominator}"
        text = json.dumps(obj, sort_keys=True, indent=1) + "\n"
        if how == "truncate":
            text = text[: draw(st.integers(0, len(text) - 3))]  # drops at least the closing brace
        return text

    return build()


def certificates(kind: str = "memorization", *, max_points: int = 6) -> st.SearchStrategy[Any]:
    """Certificates for testing checkers and tools that consume certificates.

    Parameters
    ----------
    kind :
        * ``"memorization"``: valid ``P1.memorization.width2_depth`` certificates (:class:`nncert.Certificate`),
          built by nncert's construction on drawn data sets (1..``max_points`` points, d <= 3, M <= 3; no
          z3 cross-check); the trusted check says HOLDS.
        * ``"tampered"``: such a certificate with one trusted field changed (a stated parameter, the
          data's sha256, or a label of the embedded data); the trusted check says REFUTED.
        * ``"malformed"``: certificate *text* (``str``) that ``Certificate.loads`` or the trusted check
          rejects with :class:`~nncert.errors.InvalidCertificate` (missing/extra field, wrong schema, a
          JSON number, a non-canonical rational, truncation).
        * any registered claim id: that claim's ``quick`` certificate (one fixed example, computed once).
    max_points : largest data set behind a generated certificate.

    Examples
    --------
    >>> from hypothesis import find
    >>> from nncert.proofs import check_certificate
    >>> cert = find(certificates("memorization", max_points=3), lambda c: c.params["N"] == "3")
    >>> check_certificate(cert).status.value, cert.params["width"]
    ('HOLDS', '2')
    """
    if not isinstance(kind, str):
        raise InvalidArgument(f"kind must be a string but got kind={kind!r}")
    mp = _int(max_points, "max_points", 1, 200)
    if kind == "memorization":
        return _memorization(mp)
    if kind == "tampered":
        return _tampered(mp)
    if kind == "malformed":
        return _malformed(mp)
    from nncert.proofs import registry

    if kind in registry():
        if registry()[kind].quick is None:
            raise InvalidArgument(f"kind: claim {kind!r} has no quick run to build a certificate from")
        return st.builds(lambda: Certificate.loads(_quick_certificate(kind)))
    raise InvalidArgument(f"kind must be one of {list(CERTIFICATE_KINDS)} or a registered claim id but got "
                          f"kind={kind[:80]!r}")


def _register() -> None:
    from nncert._hypothesis_hook import setup

    setup()


_register()
