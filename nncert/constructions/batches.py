"""Random-batch schemes: laws on subsets ``B`` of the neuron indices ``{0, ..., p-1}``.

A scheme is an immutable object with exact parameters (``int`` / :class:`~fractions.Fraction`;
floats are rejected by :func:`nncert.core.to_fraction`). Every scheme exposes

* ``p`` (number of neurons) and ``name``;
* inclusion probabilities ``pi()`` (``pi_i = P(i in B)``, all ``> 0``), ``pi_pair(i, j)``
  (``P(i, j in B)``, with ``pi_pair(i, i) == pi_i``), ``pi_matrix()`` and ``expected_size()``
  (``E|B| = sum_i pi_i``), all exact;
* ``law_size()`` (number of subsets with positive probability) and ``enumerate_law(limit=...)``,
  the exact law as ``[(frozenset, Fraction), ...]`` (sorted, probabilities summing to 1), which
  raises :class:`~nncert.errors.InvalidArgument` when the law has more than ``limit`` outcomes;
* seeded sampling with an explicit :class:`numpy.random.Generator`: ``sample(rng)`` (bool array of
  shape ``(p,)``) and ``sample_many(rng, k)`` (shape ``(k, p)``); ``ht_weights(mask)`` gives the
  numeric Horvitz-Thompson weights ``mask / pi`` (float64; numeric path).

Indices are 0-based here (the design note ``random_batch.md`` writes 1..p).

Schemes (``random_batch.md`` section 2): :class:`Full`, :class:`Bernoulli`, :class:`Uniform`
(uniform ``r`` of ``p``), :class:`Partition` (one block chosen uniformly), :class:`FiniteFamily`
(explicit batches with probabilities), and the constructors :func:`pick_one` (``r = 1``),
:func:`drop_one` (``r = p - 1``) and :func:`all_subsets` (Bernoulli 1/2).

Sampling is exact in law where the parameters allow it: Bernoulli(a/b) coins and finite-family
choices draw integers below the common denominator (float fallback only beyond 2^62).

Examples
--------
>>> s = Uniform(4, 2)
>>> s.pi(), s.pi_pair(0, 1), s.expected_size()
((Fraction(1, 2), Fraction(1, 2), Fraction(1, 2), Fraction(1, 2)), Fraction(1, 6), Fraction(2, 1))
>>> Partition([[0, 1], [2]]).enumerate_law()
[(frozenset({2}), Fraction(1, 2)), (frozenset({0, 1}), Fraction(1, 2))]
>>> Bernoulli(3, 0.5)
Traceback (most recent call last):
...
nncert.errors.InvalidArgument: expected an exact rational but got q=0.5 (float); pass "0.5" (exactly 1/2) or Fraction(0.5) for the float's exact binary value
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from numbers import Integral
from typing import Any, Sequence

import numpy as np

from nncert.core import fmt, to_fraction
from nncert.errors import InvalidArgument

__all__ = [
    "Scheme",
    "Full",
    "Bernoulli",
    "Uniform",
    "Partition",
    "FiniteFamily",
    "pick_one",
    "drop_one",
    "all_subsets",
    "DEFAULT_LAW_LIMIT",
    "MAX_P",
]

#: Default largest number of outcomes :meth:`Scheme.enumerate_law` lists.
DEFAULT_LAW_LIMIT = 1 << 16
#: Largest number of neurons a scheme accepts (keeps masks and matrices sane).
MAX_P = 1 << 20
_EXACT_SAMPLING_LIMIT = 1 << 62


def _as_int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidArgument(f"{where} must be an integer but got {where}={value!r} ({type(value).__name__})")
    return int(value)


def _check_p(p: object) -> int:
    n = _as_int(p, "p")
    if not 1 <= n <= MAX_P:
        raise InvalidArgument(f"p must be between 1 and {MAX_P} but got p={n}")
    return n


def _check_rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise InvalidArgument(
            f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)), got {type(rng).__name__}"
        )
    return rng


def _check_indices(batch: object, p: int, where: str) -> tuple[int, ...]:
    if isinstance(batch, (str, bytes)) or not hasattr(batch, "__iter__"):
        raise InvalidArgument(f"{where} must be a sequence of indices, got {type(batch).__name__}")
    out = []
    seen: set[int] = set()
    for k, v in enumerate(batch):  # type: ignore[union-attr]
        i = _as_int(v, f"{where}[{k}]")
        if not 0 <= i < p:
            raise InvalidArgument(f"{where}[{k}]={i} is out of range 0..{p - 1}")
        if i in seen:
            raise InvalidArgument(f"{where} has duplicate index {i}")
        seen.add(i)
        out.append(i)
    return tuple(sorted(out))


def _law_key(item: tuple[frozenset[int], Fraction]) -> tuple[int, tuple[int, ...]]:
    return (len(item[0]), tuple(sorted(item[0])))


@dataclass(frozen=True)
class Scheme:
    """Base class of batch schemes; subclasses define the law (see the module docstring)."""

    p: int

    # -- exact quantities ----------------------------------------------------------------
    def pi(self) -> tuple[Fraction, ...]:
        """Inclusion probabilities ``pi_i = P(i in B)`` (exact, all > 0)."""
        raise NotImplementedError

    def pi_pair(self, i: int, j: int) -> Fraction:
        """Joint inclusion probability ``P(i in B and j in B)``; ``pi_pair(i, i) == pi_i``."""
        raise NotImplementedError

    def pi_matrix(self) -> tuple[tuple[Fraction, ...], ...]:
        """The matrix ``(pi_ij)``, diagonal ``pi_i``."""
        return tuple(tuple(self.pi_pair(i, j) for j in range(self.p)) for i in range(self.p))

    def expected_size(self) -> Fraction:
        """``E|B| = sum_i pi_i``."""
        return sum(self.pi(), Fraction(0))

    def law_size(self) -> int:
        """Number of subsets with positive probability (computed without enumerating)."""
        raise NotImplementedError

    def enumerate_law(self, limit: int = DEFAULT_LAW_LIMIT) -> list[tuple[frozenset[int], Fraction]]:
        """The exact law: ``[(B, P(B)), ...]`` with distinct ``B``, ``P(B) > 0``, summing to 1.

        Sorted by ``(|B|, sorted indices)``. Raises :class:`InvalidArgument` when there are more than
        ``limit`` outcomes (the message says how many).
        """
        limit = _as_int(limit, "limit")
        size = self.law_size()
        if size > limit:
            raise InvalidArgument(
                f"{self.name} law has {size} outcomes, too large to enumerate (limit={limit}); "
                "use the closed forms pi()/pi_pair() or raise limit"
            )
        law = [(b, q) for b, q in self._law() if q != 0]
        return sorted(law, key=_law_key)

    def _law(self) -> list[tuple[frozenset[int], Fraction]]:
        raise NotImplementedError

    # -- sampling (numeric) --------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> np.ndarray:
        """One batch as a bool mask of shape ``(p,)``."""
        return self.sample_many(rng, 1)[0]

    def sample_many(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """``k`` independent batches as a bool array of shape ``(k, p)``."""
        _check_rng(rng)
        k = _as_int(k, "k")
        if k < 0:
            raise InvalidArgument(f"k must be >= 0 but got k={k}")
        return self._sample(rng, k)

    def _sample(self, rng: np.random.Generator, k: int) -> np.ndarray:
        raise NotImplementedError

    def pi_float(self) -> np.ndarray:
        """``pi`` as float64 (numeric path)."""
        return self._pi_float

    @cached_property
    def _pi_float(self) -> np.ndarray:
        arr = np.array([float(v) for v in self.pi()], dtype=np.float64)
        arr.setflags(write=False)
        return arr

    def ht_weights(self, mask: Any) -> np.ndarray:
        """Horvitz-Thompson weights ``mask_i / pi_i`` (float64, numeric path) for a mask ``(p,)`` or ``(k, p)``."""
        m = np.asarray(mask)
        if m.ndim not in (1, 2) or m.shape[-1] != self.p:
            raise InvalidArgument(f"mask has shape {m.shape}, expected ({self.p},) or (k, {self.p})")
        if m.dtype != np.bool_:
            if not np.all((m == 0) | (m == 1)):
                raise InvalidArgument("mask entries must be 0/1 or bool")
            m = m.astype(bool)
        return m.astype(np.float64) / self._pi_float

    # -- description ---------------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        """JSON-ready description (exact values as text)."""
        raise NotImplementedError

    def _check_pair(self, i: int, j: int) -> tuple[int, int]:
        i, j = _as_int(i, "i"), _as_int(j, "j")
        for nm, v in (("i", i), ("j", j)):
            if not 0 <= v < self.p:
                raise InvalidArgument(f"{nm}={v} is out of range 0..{self.p - 1}")
        return i, j


def _bernoulli_coins(rng: np.random.Generator, q: Fraction, shape: tuple[int, ...]) -> np.ndarray:
    if q == 1:
        return np.ones(shape, dtype=bool)
    if q.denominator <= _EXACT_SAMPLING_LIMIT:
        return rng.integers(0, q.denominator, size=shape, dtype=np.int64) < q.numerator
    return rng.random(shape) < float(q)  # pragma: no cover - astronomically fine denominators


@dataclass(frozen=True)
class Full(Scheme):
    """The full model: ``B = {0..p-1}`` always (``pi_i = pi_ij = 1``).

    >>> Full(3).enumerate_law()
    [(frozenset({0, 1, 2}), Fraction(1, 1))]
    """

    name: str = field(default="full", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "p", _check_p(self.p))

    def pi(self) -> tuple[Fraction, ...]:
        return (Fraction(1),) * self.p

    def pi_pair(self, i: int, j: int) -> Fraction:
        self._check_pair(i, j)
        return Fraction(1)

    def law_size(self) -> int:
        return 1

    def _law(self) -> list[tuple[frozenset[int], Fraction]]:
        return [(frozenset(range(self.p)), Fraction(1))]

    def _sample(self, rng: np.random.Generator, k: int) -> np.ndarray:
        return np.ones((k, self.p), dtype=bool)

    def spec(self) -> dict[str, Any]:
        return {"scheme": "full", "p": str(self.p)}


@dataclass(frozen=True)
class Bernoulli(Scheme):
    """Independent coins: each ``i`` is in ``B`` with probability ``q`` in (0, 1]; empty ``B`` allowed.

    >>> s = Bernoulli(2, "1/3")
    >>> s.enumerate_law()[0], s.pi_pair(0, 1)
    ((frozenset(), Fraction(4, 9)), Fraction(1, 9))
    """

    q: Fraction = Fraction(1, 2)
    name: str = field(default="bernoulli", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "p", _check_p(self.p))
        q = to_fraction(self.q, "q")
        if not 0 < q <= 1:
            raise InvalidArgument(f"q must be in (0, 1] but got q={fmt(q)}" + (" (pi_i = 0)" if q == 0 else ""))
        object.__setattr__(self, "q", q)

    def pi(self) -> tuple[Fraction, ...]:
        return (self.q,) * self.p

    def pi_pair(self, i: int, j: int) -> Fraction:
        i, j = self._check_pair(i, j)
        return self.q if i == j else self.q * self.q

    def law_size(self) -> int:
        return 1 if self.q == 1 else 2**self.p

    def _law(self) -> list[tuple[frozenset[int], Fraction]]:
        if self.q == 1:
            return [(frozenset(range(self.p)), Fraction(1))]
        out = []
        for bits in itertools.product((0, 1), repeat=self.p):
            b = frozenset(i for i, x in enumerate(bits) if x)
            out.append((b, self.q ** len(b) * (1 - self.q) ** (self.p - len(b))))
        return out

    def _sample(self, rng: np.random.Generator, k: int) -> np.ndarray:
        return _bernoulli_coins(rng, self.q, (k, self.p))

    def spec(self) -> dict[str, Any]:
        return {"scheme": "bernoulli", "p": str(self.p), "q": fmt(self.q)}


@dataclass(frozen=True)
class Uniform(Scheme):
    """Uniform over the ``r``-subsets of ``{0..p-1}`` (``1 <= r <= p``).

    >>> Uniform(3, 1).enumerate_law()
    [(frozenset({0}), Fraction(1, 3)), (frozenset({1}), Fraction(1, 3)), (frozenset({2}), Fraction(1, 3))]
    """

    r: int = 1
    name: str = field(default="uniform", compare=False)

    def __post_init__(self) -> None:
        p = _check_p(self.p)
        r = _as_int(self.r, "r")
        if r < 1:
            raise InvalidArgument(f"r must be >= 1 (r = 0 gives pi_i = 0) but got r={r}")
        if r > p:
            raise InvalidArgument(f"r must be <= p but got r={r} > p={p}")
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "r", r)

    def pi(self) -> tuple[Fraction, ...]:
        return (Fraction(self.r, self.p),) * self.p

    def pi_pair(self, i: int, j: int) -> Fraction:
        i, j = self._check_pair(i, j)
        if i == j:
            return Fraction(self.r, self.p)
        return Fraction(self.r * (self.r - 1), self.p * (self.p - 1))

    def law_size(self) -> int:
        return math.comb(self.p, self.r)

    def _law(self) -> list[tuple[frozenset[int], Fraction]]:
        w = Fraction(1, math.comb(self.p, self.r))
        return [(frozenset(c), w) for c in itertools.combinations(range(self.p), self.r)]

    def _sample(self, rng: np.random.Generator, k: int) -> np.ndarray:
        out = np.zeros((k, self.p), dtype=bool)
        if k == 0:
            return out
        # the r smallest of p iid uniforms form a uniformly random r-subset
        keys = rng.random((k, self.p))
        chosen = np.argpartition(keys, self.r - 1, axis=1)[:, : self.r]
        np.put_along_axis(out, chosen, True, axis=1)
        return out

    def spec(self) -> dict[str, Any]:
        return {"scheme": "uniform", "p": str(self.p), "r": str(self.r)}


@dataclass(frozen=True)
class Partition(Scheme):
    """Disjoint blocks exactly covering ``{0..p-1}``; one block is chosen with probability ``1/n``.

    ``p`` is the total number of indices. Blocks may have different sizes (balanced or not).

    >>> s = Partition([[0, 2], [1]])
    >>> s.p, s.pi(), s.pi_pair(0, 2), s.pi_pair(0, 1), s.balanced
    (3, (Fraction(1, 2), Fraction(1, 2), Fraction(1, 2)), Fraction(1, 2), Fraction(0, 1), False)
    """

    p: int = field(init=False)
    blocks: tuple[tuple[int, ...], ...] = ()
    name: str = field(default="partition", compare=False)

    def __init__(self, blocks: Sequence[Sequence[int]], name: str = "partition") -> None:
        if isinstance(blocks, (str, bytes)) or not hasattr(blocks, "__iter__"):
            raise InvalidArgument(f"blocks must be a sequence of index sequences, got {type(blocks).__name__}")
        raw = list(blocks)
        if not raw:
            raise InvalidArgument("blocks must contain at least one block")
        total = 0
        for b, blk in enumerate(raw):
            if isinstance(blk, (str, bytes)) or not hasattr(blk, "__len__"):
                raise InvalidArgument(f"blocks[{b}] must be a sequence of indices")
            total += len(blk)
        p = _check_p(total)
        out = []
        seen: dict[int, int] = {}
        for b, blk in enumerate(raw):
            if len(blk) == 0:
                raise InvalidArgument(f"blocks[{b}] is empty")
            idx = _check_indices(blk, p, f"blocks[{b}]")
            for i in idx:
                if i in seen:
                    raise InvalidArgument(f"blocks: index {i} appears in blocks[{seen[i]}] and blocks[{b}]")
                seen[i] = b
            out.append(idx)
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "blocks", tuple(out))
        object.__setattr__(self, "name", name)

    @property
    def n(self) -> int:
        """Number of blocks."""
        return len(self.blocks)

    @property
    def balanced(self) -> bool:
        """True iff every block has the same size."""
        return len({len(b) for b in self.blocks}) == 1

    @cached_property
    def _block_of(self) -> tuple[int, ...]:
        where = [0] * self.p
        for b, blk in enumerate(self.blocks):
            for i in blk:
                where[i] = b
        return tuple(where)

    def pi(self) -> tuple[Fraction, ...]:
        return (Fraction(1, self.n),) * self.p

    def pi_pair(self, i: int, j: int) -> Fraction:
        i, j = self._check_pair(i, j)
        return Fraction(1, self.n) if self._block_of[i] == self._block_of[j] else Fraction(0)

    def law_size(self) -> int:
        return self.n

    def _law(self) -> list[tuple[frozenset[int], Fraction]]:
        return [(frozenset(b), Fraction(1, self.n)) for b in self.blocks]

    @cached_property
    def _masks(self) -> np.ndarray:
        m = np.zeros((self.n, self.p), dtype=bool)
        for b, blk in enumerate(self.blocks):
            m[b, list(blk)] = True
        return m

    def _sample(self, rng: np.random.Generator, k: int) -> np.ndarray:
        return self._masks[rng.integers(0, self.n, size=k)].copy()

    def spec(self) -> dict[str, Any]:
        return {"scheme": "partition", "p": str(self.p), "blocks": [[str(i) for i in b] for b in self.blocks]}


@dataclass(frozen=True)
class FiniteFamily(Scheme):
    """Batch ``batches[j]`` is chosen with probability ``probs[j]`` (``>= 0``, summing to 1 exactly).

    Batches may repeat (their probabilities add up in the law) and may be empty; every index must
    have ``pi_i > 0``.

    >>> s = FiniteFamily(3, [[0, 1], [2], [0, 1, 2]], ["1/2", "1/4", "1/4"])
    >>> s.pi(), s.pi_pair(0, 2)
    ((Fraction(3, 4), Fraction(3, 4), Fraction(1, 2)), Fraction(1, 4))
    >>> FiniteFamily(2, [[0]], [1])
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidArgument: pi[1] = 0: index 1 is in no batch with positive probability
    """

    batches: tuple[tuple[int, ...], ...] = ()
    probs: tuple[Fraction, ...] = ()
    name: str = field(default="family", compare=False)

    def __post_init__(self) -> None:
        p = _check_p(self.p)
        raw_b, raw_q = self.batches, self.probs
        for nm, obj in (("batches", raw_b), ("probs", raw_q)):
            if isinstance(obj, (str, bytes)) or not hasattr(obj, "__len__"):
                raise InvalidArgument(f"{nm} must be a sequence, got {type(obj).__name__}")
        if len(raw_b) != len(raw_q):
            raise InvalidArgument(f"batches has {len(raw_b)} entries but probs has {len(raw_q)}")
        if not raw_b:
            raise InvalidArgument("batches must contain at least one batch")
        batches = tuple(_check_indices(b, p, f"batches[{j}]") for j, b in enumerate(raw_b))
        probs = tuple(to_fraction(q, f"probs[{j}]") for j, q in enumerate(raw_q))
        for j, q in enumerate(probs):
            if q < 0:
                raise InvalidArgument(f"probs[{j}]={fmt(q)} is negative")
        total = sum(probs, Fraction(0))
        if total != 1:
            raise InvalidArgument(f"probs sum to {fmt(total)}, not exactly 1")
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "batches", batches)
        object.__setattr__(self, "probs", probs)
        pis = self.pi()
        for i, v in enumerate(pis):
            if v == 0:
                raise InvalidArgument(f"pi[{i}] = 0: index {i} is in no batch with positive probability")

    @cached_property
    def _pi(self) -> tuple[Fraction, ...]:
        acc = [Fraction(0)] * self.p
        for b, q in zip(self.batches, self.probs):
            for i in b:
                acc[i] += q
        return tuple(acc)

    def pi(self) -> tuple[Fraction, ...]:
        return self._pi

    @cached_property
    def _pairs(self) -> tuple[tuple[Fraction, ...], ...]:
        acc = [[Fraction(0)] * self.p for _ in range(self.p)]
        for b, q in zip(self.batches, self.probs):
            if q == 0:
                continue
            for i in b:
                row = acc[i]
                for j in b:
                    row[j] += q
        return tuple(tuple(r) for r in acc)

    def pi_pair(self, i: int, j: int) -> Fraction:
        i, j = self._check_pair(i, j)
        return self._pairs[i][j]

    def pi_matrix(self) -> tuple[tuple[Fraction, ...], ...]:
        return self._pairs

    @cached_property
    def _merged(self) -> dict[frozenset[int], Fraction]:
        law: dict[frozenset[int], Fraction] = {}
        for b, q in zip(self.batches, self.probs):
            if q:
                key = frozenset(b)
                law[key] = law.get(key, Fraction(0)) + q
        return law

    def law_size(self) -> int:
        return len(self._merged)

    def _law(self) -> list[tuple[frozenset[int], Fraction]]:
        return list(self._merged.items())

    @cached_property
    def _sampler(self) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, int]:
        masks = np.zeros((len(self.batches), self.p), dtype=bool)
        for j, b in enumerate(self.batches):
            masks[j, list(b)] = True
        den = math.lcm(*(q.denominator for q in self.probs))
        if den <= _EXACT_SAMPLING_LIMIT:
            cum = np.cumsum(np.array([q.numerator * (den // q.denominator) for q in self.probs], dtype=np.int64))
            return masks, cum, None, den
        return masks, None, np.array([float(q) for q in self.probs]), den  # pragma: no cover

    def _sample(self, rng: np.random.Generator, k: int) -> np.ndarray:
        masks, cum, fl, den = self._sampler
        if cum is not None:
            u = rng.integers(0, den, size=k, dtype=np.int64)
            idx = np.searchsorted(cum, u, side="right")
        else:  # pragma: no cover
            idx = rng.choice(len(self.batches), size=k, p=fl / fl.sum())
        return masks[idx].copy()

    def spec(self) -> dict[str, Any]:
        return {
            "scheme": "family",
            "p": str(self.p),
            "batches": [[str(i) for i in b] for b in self.batches],
            "probs": [fmt(q) for q in self.probs],
        }


def pick_one(p: int) -> Uniform:
    """One neuron chosen uniformly (uniform with ``r = 1``).

    >>> pick_one(4).pi_pair(0, 1)
    Fraction(0, 1)
    """
    return Uniform(p, 1, name="pick-one")


def drop_one(p: int) -> Uniform:
    """All neurons but one, the dropped one chosen uniformly (uniform with ``r = p - 1``; needs ``p >= 2``).

    >>> drop_one(3).pi()
    (Fraction(2, 3), Fraction(2, 3), Fraction(2, 3))
    """
    n = _check_p(p)
    if n < 2:
        raise InvalidArgument(f"drop-one needs p >= 2 (p = 1 would give r = 0, pi_i = 0) but got p={n}")
    return Uniform(n, n - 1, name="drop-one")


def all_subsets(p: int) -> Bernoulli:
    """Every subset equally likely (Bernoulli 1/2, empty set included).

    >>> all_subsets(2).law_size()
    4
    """
    return Bernoulli(p, Fraction(1, 2), name="all-subsets")
