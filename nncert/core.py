"""Core values: exact numbers, :class:`Network`, :class:`Certificate`, :class:`Verdict`.

Trusted base
------------
A HOLDS verdict printed by ``nncert check`` depends only on:

* this module (number parsing, :class:`Network`, certificate JSON reading),
* :mod:`nncert.data` (canonical data form and its hash),
* :mod:`nncert.verify.exact` (the exact evaluator),
* the ``check`` function of the claim named in the certificate (``nncert/proofs/claims/``).

Everything in :mod:`nncert.constructions`, every solver call and every numeric estimate only
*proposes*; what cannot be re-derived exactly (a z3 ``unsat``, a statistical test) is listed
in ``Certificate.admitted`` and shown in every summary.

Number conventions
------------------
Exact values are :class:`fractions.Fraction`. Their text form (JSON, CLI) is ``"p"`` or
``"p/q"`` in lowest terms with ``q > 1`` (see :func:`fmt` and :func:`parse_exact`). Floats are
rejected wherever an exact value is expected; :func:`to_fraction` says how to pass one.
"""

from __future__ import annotations

import enum
import json
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Integral
from typing import Any, Iterable, Mapping, Sequence

from nncert.errors import InvalidArgument, InvalidCertificate, InvalidNetwork, NotProved

__all__ = [
    "Fraction",
    "to_fraction",
    "fmt",
    "parse_exact",
    "parse_decimal",
    "Network",
    "Status",
    "Verdict",
    "Certificate",
    "require",
    "CERTIFICATE_SCHEMA",
    "MAX_DIGITS",
]

#: Largest number of decimal digits accepted in one numerator or denominator read from text.
MAX_DIGITS = 4000
#: Schema tag written into (and required from) every certificate.
CERTIFICATE_SCHEMA = "nncert-certificate/1"

_CANONICAL = re.compile(r"-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_RATIO = re.compile(r"[+-]?[0-9]+/[0-9]+")
_NONFINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)
_MAX_EXPONENT = 1000


def fmt(value: Fraction | int) -> str:
    """Canonical text of an exact rational: ``"p"`` or ``"p/q"`` in lowest terms.

    Examples
    --------
    >>> fmt(Fraction(6, 4)), fmt(Fraction(-3)), fmt(0)
    ('3/2', '-3', '0')
    """
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def parse_exact(text: object, where: str = "value") -> Fraction:
    """Parse the canonical ``"p"`` / ``"p/q"`` form strictly (certificates use nothing else).

    Raises :class:`InvalidCertificate` on anything else: non-strings, ``"2/4"`` (not in lowest
    terms), ``"3/1"``, ``"+1"``, ``"-0"``, whitespace, or more than :data:`MAX_DIGITS` digits.

    Examples
    --------
    >>> parse_exact("-7/3")
    Fraction(-7, 3)
    >>> parse_exact("2/4")
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidCertificate: value: '2/4' is not a canonical exact rational (expected "p" or "p/q" in lowest terms)
    """
    if not isinstance(text, str):
        raise InvalidCertificate(f"{where}: expected a string like \"3/4\" but got {type(text).__name__}")
    if len(text) > 2 * MAX_DIGITS + 2 or not _CANONICAL.fullmatch(text) or text == "-0":
        raise InvalidCertificate(
            f"{where}: {_short(text)!r} is not a canonical exact rational (expected \"p\" or \"p/q\" in lowest terms)"
        )
    num, _, den = text.partition("/")
    if len(num.lstrip("-")) > MAX_DIGITS or len(den) > MAX_DIGITS:
        raise InvalidCertificate(f"{where}: number has more than {MAX_DIGITS} digits")
    n = int(num)
    if not den:
        return Fraction(n)
    d = int(den)
    if d == 1 or math.gcd(n, d) != 1:
        raise InvalidCertificate(
            f"{where}: {_short(text)!r} is not a canonical exact rational (expected \"p\" or \"p/q\" in lowest terms)"
        )
    return Fraction(n, d)


def parse_decimal(text: str, where: str = "value") -> Fraction:
    """Parse user text (decimal, scientific or ``p/q``) into the exact Fraction it denotes.

    ``"0.1"`` is exactly 1/10. NaN and infinities raise :class:`InvalidArgument` naming the place.

    Examples
    --------
    >>> parse_decimal("0.1"), parse_decimal("-2.5e-3"), parse_decimal("1/3")
    (Fraction(1, 10), Fraction(-1, 400), Fraction(1, 3))
    """
    s = text.strip()
    if _NONFINITE.fullmatch(s):
        raise InvalidArgument(f"{where}: {s!r} is not finite (NaN/inf are not allowed)")
    if len(s) > 2 * MAX_DIGITS + 12:
        raise InvalidArgument(f"{where}: number has more than {MAX_DIGITS} digits")
    if _RATIO.fullmatch(s):
        num, den = s.split("/")
        if len(num) > MAX_DIGITS + 1 or len(den) > MAX_DIGITS:
            raise InvalidArgument(f"{where}: number has more than {MAX_DIGITS} digits")
        if int(den) == 0:
            raise InvalidArgument(f"{where}: {s!r} has a zero denominator")
        return Fraction(int(num), int(den))
    m = _DECIMAL.fullmatch(s)
    if not m:
        raise InvalidArgument(f"{where}: {_short(s)!r} is not a number")
    if m.group(2) and abs(int(m.group(2)[1:])) > _MAX_EXPONENT:
        raise InvalidArgument(f"{where}: exponent of {_short(s)!r} is beyond +-{_MAX_EXPONENT}")
    if len(m.group(1)) > MAX_DIGITS:
        raise InvalidArgument(f"{where}: number has more than {MAX_DIGITS} digits")
    return Fraction(s)


def to_fraction(value: object, where: str = "value") -> Fraction:
    """Convert an exact value (int, Fraction, numpy integer, sympy Rational, text) to a Fraction.

    Floats are rejected with a hint: pass a decimal string (``"0.1"`` means 1/10) or
    ``Fraction(x)`` for the exact binary value of the float.

    Examples
    --------
    >>> to_fraction("0.25"), to_fraction(3)
    (Fraction(1, 4), Fraction(3, 1))
    >>> to_fraction(0.1, "w[0]")
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidArgument: expected an exact rational but got w[0]=0.1 (float); pass "0.1" (exactly 1/10) or Fraction(0.1) for the float's exact binary value
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise InvalidArgument(f"expected an exact rational but got {where}={value!r} (bool)")
    if isinstance(value, Integral):
        return Fraction(int(value))
    if isinstance(value, str):
        return parse_decimal(value, where)
    if isinstance(value, float) or type(value).__name__ in ("float16", "float32", "float64", "longdouble"):
        return _reject_float(value, where)
    if getattr(value, "is_Rational", False) is True:  # sympy Rational/Integer, no sympy import needed
        return Fraction(int(value.p), int(value.q))  # type: ignore[attr-defined]
    raise InvalidArgument(
        f"expected an exact rational but got {where}={_short(repr(value))} ({type(value).__name__})"
    )


def _reject_float(value: object, where: str) -> Fraction:
    as_float = float(value)  # type: ignore[arg-type]
    if math.isfinite(as_float):
        hint = f'pass "{repr(as_float)}" (exactly {fmt(Fraction(repr(as_float)))})' if "e" not in repr(
            as_float
        ) else f'pass the decimal string "{repr(as_float)}"'
        hint += f" or Fraction({repr(as_float)}) for the float's exact binary value"
    else:
        hint = "NaN/inf have no exact value"
    raise InvalidArgument(
        f"expected an exact rational but got {where}={repr(as_float)} ({type(value).__name__}); {hint}"
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


Vector = tuple[Fraction, ...]
Matrix = tuple[Vector, ...]


@dataclass(frozen=True, eq=True)
class Network:
    """Feed-forward ReLU network with exact rational weights; the last layer is affine.

    Layer ``k`` maps ``h -> W_k h + b_k``; ReLU follows every layer except the last.
    ``depth`` counts *hidden* layers (ReLU layers) ``L``; ``num_affine_maps`` is ``L + 1``.
    Papers counting either way can be compared: paper 1's ``2N+4M-1`` is checked against
    ``depth`` (hidden layers), the stricter reading.

    Build with :meth:`from_rows` (accepts int, str, Fraction, sympy Rational; rejects float).

    Examples
    --------
    >>> net = Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> net.widths, net.depth, net.num_affine_maps, net.num_parameters
    ((2,), 1, 2, 9)
    >>> net([Fraction(1, 3), 1])   # |x0 - x1|
    (Fraction(2, 3),)
    """

    weights: tuple[Matrix, ...]
    biases: tuple[Vector, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.weights, tuple) or not isinstance(self.biases, tuple):
            raise InvalidNetwork("weights and biases must be tuples; use Network.from_rows for lists")
        if not self.weights or len(self.weights) != len(self.biases):
            raise InvalidNetwork(f"{len(self.weights)} weight matrices but {len(self.biases)} bias vectors")
        prev = None
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            if not isinstance(w, tuple) or not isinstance(b, tuple) or not w:
                raise InvalidNetwork(f"layer {k}: weights must be a non-empty tuple of rows and biases a tuple")
            if len(w) != len(b):
                raise InvalidNetwork(f"layer {k}: {len(w)} rows but {len(b)} biases")
            cols = len(w[0]) if isinstance(w[0], tuple) else -1
            if cols < 1:
                raise InvalidNetwork(f"layer {k}: rows must be non-empty tuples")
            if prev is not None and cols != prev:
                raise InvalidNetwork(f"layer {k}: {cols} columns but layer {k - 1} has {prev} outputs")
            for r, row in enumerate(w):
                if not isinstance(row, tuple) or len(row) != cols:
                    raise InvalidNetwork(f"layer {k}: row {r} has {len(row)} entries, expected {cols}")
                for c, v in enumerate(row):
                    if type(v) is not Fraction:
                        raise InvalidNetwork(
                            f"weights[{k}][{r}][{c}]={v!r} is not a Fraction; use Network.from_rows"
                        )
            for r, v in enumerate(b):
                if type(v) is not Fraction:
                    raise InvalidNetwork(f"biases[{k}][{r}]={v!r} is not a Fraction; use Network.from_rows")
            prev = len(w)

    # -- construction ------------------------------------------------------------------
    @classmethod
    def from_rows(cls, weights: Sequence[Sequence[Sequence[object]]], biases: Sequence[Sequence[object]]) -> "Network":
        """Build from nested lists of exact values (int, str, Fraction, sympy Rational).

        Examples
        --------
        >>> Network.from_rows([[["1/2", 0]]], [[1]]).weights[0]
        ((Fraction(1, 2), Fraction(0, 1)),)
        >>> Network.from_rows([[[0.5]]], [[0]])
        Traceback (most recent call last):
        ...
        nncert.errors.InvalidNetwork: expected an exact rational but got weights[0][0][0]=0.5 (float); pass "0.5" (exactly 1/2) or Fraction(0.5) for the float's exact binary value
        """
        if _is_array_like(weights) or _is_array_like(biases):
            raise InvalidNetwork("weights and biases must be sequences of layers")
        if len(weights) != len(biases):
            raise InvalidNetwork(f"{len(weights)} weight matrices but {len(biases)} bias vectors")
        try:
            ws = tuple(
                tuple(tuple(to_fraction(v, f"weights[{k}][{r}][{c}]") for c, v in enumerate(row)) for r, row in enumerate(w))
                for k, w in enumerate(weights)
            )
            bs = tuple(tuple(to_fraction(v, f"biases[{k}][{r}]") for r, v in enumerate(b)) for k, b in enumerate(biases))
        except InvalidArgument as err:
            raise InvalidNetwork(str(err)) from None
        except TypeError as err:
            raise InvalidNetwork(f"weights/biases are not nested sequences: {err}") from None
        return cls(ws, bs)

    # -- shape ---------------------------------------------------------------------------
    @property
    def input_dim(self) -> int:
        """Number of inputs ``d``."""
        return len(self.weights[0][0])

    @property
    def output_dim(self) -> int:
        """Number of outputs."""
        return len(self.weights[-1])

    @property
    def widths(self) -> tuple[int, ...]:
        """Hidden layer widths (empty for a purely affine network)."""
        return tuple(len(w) for w in self.weights[:-1])

    @property
    def width(self) -> int:
        """Maximal hidden width (0 for a purely affine network)."""
        return max(self.widths, default=0)

    @property
    def depth(self) -> int:
        """Number of hidden (ReLU) layers ``L``."""
        return len(self.weights) - 1

    @property
    def num_affine_maps(self) -> int:
        """Number of affine maps ``L + 1`` (the other common depth convention)."""
        return len(self.weights)

    @property
    def num_parameters(self) -> int:
        """Number of weights and biases."""
        return sum(len(w) * len(w[0]) + len(b) for w, b in zip(self.weights, self.biases))

    def parameters(self) -> Iterable[Fraction]:
        """Every weight and bias, layer by layer (weights row-major, then biases)."""
        for w, b in zip(self.weights, self.biases):
            for row in w:
                yield from row
            yield from b

    # -- evaluation ----------------------------------------------------------------------
    def __call__(self, x: Sequence[object]) -> tuple[Fraction, ...]:
        """Exact evaluation at one point (entries converted by :func:`to_fraction`)."""
        if len(x) != self.input_dim:
            raise InvalidArgument(f"point has {len(x)} coordinates but the network takes {self.input_dim}")
        h = [to_fraction(v, f"x[{j}]") for j, v in enumerate(x)]
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            pre = [sum((wi * hi for wi, hi in zip(row, h)), bi) for row, bi in zip(w, b)]
            h = pre if k == last else [v if v > 0 else Fraction(0) for v in pre]
        return tuple(h)

    def evaluate_float(self, X: Any) -> Any:
        """float64 evaluation of a batch ``X`` of shape (n, d); numeric path only (rounding errors!)."""
        import numpy as np

        H = np.asarray(X, dtype=np.float64)
        if H.ndim == 1:
            H = H[None, :]
        if H.ndim != 2 or H.shape[1] != self.input_dim:
            raise InvalidArgument(f"X has shape {H.shape}, expected (n, {self.input_dim})")
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            W = np.array([[float(v) for v in row] for row in w])
            B = np.array([float(v) for v in b])
            H = H @ W.T + B
            if k != last:
                H = np.maximum(H, 0.0)
        return H

    def to_sympy(self) -> Any:
        """The network as a sympy column Matrix in symbols ``x1..xd`` (ReLU as ``Max(0, .)``).

        Examples
        --------
        >>> Network.from_rows([[[1, -1]], [[2]]], [[0], [1]]).to_sympy()
        Matrix([[2*Max(0, x1 - x2) + 1]])
        """
        import sympy

        h = sympy.Matrix(sympy.symbols(f"x1:{self.input_dim + 1}"))
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            W = sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row] for row in w])
            B = sympy.Matrix([sympy.Rational(v.numerator, v.denominator) for v in b])
            h = W * h + B
            if k != last:
                h = h.applyfunc(lambda e: sympy.Max(0, e))
        return h

    # -- JSON --------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Canonical JSON form: ``{"weights": [[["p/q", ...], ...], ...], "biases": [...]}``."""
        return {
            "weights": [[[fmt(v) for v in row] for row in w] for w in self.weights],
            "biases": [[fmt(v) for v in b] for b in self.biases],
        }

    @classmethod
    def from_json(cls, obj: object, where: str = "network") -> "Network":
        """Strictly read :meth:`to_json` output; malformed input raises :class:`InvalidCertificate`."""
        if not isinstance(obj, dict) or set(obj) != {"weights", "biases"}:
            raise InvalidCertificate(f"{where}: expected an object with exactly 'weights' and 'biases'")
        ws, bs = obj["weights"], obj["biases"]
        if not isinstance(ws, list) or not isinstance(bs, list):
            raise InvalidCertificate(f"{where}: 'weights' and 'biases' must be lists")
        try:
            weights = tuple(
                tuple(tuple(parse_exact(v, f"{where}.weights[{k}][{r}][{c}]") for c, v in enumerate(_as_list(row, where)))
                      for r, row in enumerate(_as_list(w, where)))
                for k, w in enumerate(ws)
            )
            biases = tuple(
                tuple(parse_exact(v, f"{where}.biases[{k}][{r}]") for r, v in enumerate(_as_list(b, where)))
                for k, b in enumerate(bs)
            )
            return cls(weights, biases)
        except InvalidNetwork as err:
            raise InvalidCertificate(f"{where}: {err}") from None


def _as_list(obj: object, where: str) -> list:
    if not isinstance(obj, list):
        raise InvalidCertificate(f"{where}: expected a list but got {type(obj).__name__}")
    return obj


def _is_array_like(obj: object) -> bool:
    return isinstance(obj, (str, bytes)) or not hasattr(obj, "__len__")


class Status(enum.Enum):
    """Three-valued outcome of a check. UNKNOWN is never folded into REFUTED or HOLDS."""

    HOLDS = "HOLDS"
    REFUTED = "REFUTED"
    UNKNOWN = "UNKNOWN"


#: Process exit code for each status (``nncert check``): 0 holds, 1 refuted, 3 unknown; 2 is bad input.
EXIT_CODE = {Status.HOLDS: 0, Status.REFUTED: 1, Status.UNKNOWN: 3}


@dataclass(frozen=True)
class Verdict:
    """Result of checking one claim (or one part of a claim).

    ``counterexample`` (exact values as text) is set iff REFUTED. ``evidence`` is a short summary
    such as ``"depth 11 <= 309"``; ``reason`` explains a REFUTED/UNKNOWN status or states the
    confidence of a statistical check. ``parts`` holds sub-verdicts, one line each in summaries.
    """

    status: Status
    claim: str = ""
    evidence: str = ""
    reason: str = ""
    counterexample: Mapping[str, str] | None = None
    admitted: tuple[str, ...] = ()
    parts: tuple["Verdict", ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.status, Status):
            raise InvalidArgument(f"status must be a Status, got {self.status!r}")
        if (self.counterexample is not None) and self.status is not Status.REFUTED:
            raise InvalidArgument("a counterexample may only accompany a REFUTED verdict")

    @property
    def holds(self) -> bool:
        """True iff the status is HOLDS."""
        return self.status is Status.HOLDS

    @classmethod
    def combine(cls, claim: str, parts: Sequence["Verdict"], admitted: Sequence[str] = ()) -> "Verdict":
        """REFUTED if any part is refuted, else UNKNOWN if any is unknown, else HOLDS.

        Examples
        --------
        >>> a = Verdict(Status.HOLDS, "a"); b = Verdict(Status.UNKNOWN, "b", reason="no solver")
        >>> Verdict.combine("ab", [a, b]).status
        <Status.UNKNOWN: 'UNKNOWN'>
        """
        statuses = [p.status for p in parts]
        if Status.REFUTED in statuses:
            status = Status.REFUTED
        elif Status.UNKNOWN in statuses or not parts:
            status = Status.UNKNOWN
        else:
            status = Status.HOLDS
        bad = [p for p in parts if p.status is status and status is not Status.HOLDS]
        reason = "; ".join(f"{p.claim}: {p.reason}" for p in bad) if bad else ("no parts" if not parts else "")
        cex = next((p.counterexample for p in bad if p.counterexample is not None), None)
        if status is Status.REFUTED and cex is None:
            cex = {"part": bad[0].claim}
        adm = tuple(dict.fromkeys(list(admitted) + [a for p in parts for a in p.admitted]))
        evidence = "; ".join(p.evidence for p in parts if p.evidence)
        return cls(status, claim, evidence, reason, cex, adm, tuple(parts))

    def summary(self) -> str:
        """One line per part (or one line), e.g. ``HOLDS    width: width 2 == 2``."""
        lines = []
        for v in self.parts or (self,):
            line = f"{v.status.value:<8} {v.claim}"
            if v.evidence:
                line += f": {v.evidence}"
            if v.reason and v.status is not Status.HOLDS:
                line += f" ({v.reason})"
            lines.append(line)
        if self.parts:
            lines.append(f"{self.status.value:<8} {self.claim} (overall)")
        if self.admitted:
            lines.append("admitted: " + ", ".join(self.admitted))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def require(verdict: Verdict) -> Verdict:
    """Return ``verdict`` if it HOLDS, else raise :class:`~nncert.errors.NotProved` carrying it."""
    if not verdict.holds:
        raise NotProved(verdict)
    return verdict


@dataclass(frozen=True)
class Certificate:
    """Plain data a checker re-derives a claim from.

    * ``claim``: registered claim id, e.g. ``"P1.memorization.width2_depth"``.
    * ``params``: the claim's parameters, exact values as text.
    * ``witness``: everything the checker needs (data, network, stated values), nothing more.
    * ``admitted``: steps taken on trust (``"z3:unsat"``, ``"statistical: |z|<=4"``).
    * ``checked_by``, ``timings``: informational record of what the producer ran; the trusted
      checker ignores them (so tampering with them cannot turn a false claim true).

    The JSON form has no JSON numbers anywhere: every number is a string (exact ``"p/q"``, or a
    decimal string for seconds in ``timings``), keys are sorted, so golden files diff cleanly.
    """

    claim: str
    params: Mapping[str, Any] = field(default_factory=dict)
    witness: Mapping[str, Any] = field(default_factory=dict)
    admitted: tuple[str, ...] = ()
    checked_by: Mapping[str, Any] = field(default_factory=dict)
    timings: Mapping[str, str] = field(default_factory=dict)
    nncert_version: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (see :meth:`dumps` for the canonical text)."""
        from nncert import __version__

        return {
            "schema": CERTIFICATE_SCHEMA,
            "nncert_version": self.nncert_version or __version__,
            "claim": self.claim,
            "params": dict(self.params),
            "witness": dict(self.witness),
            "admitted": list(self.admitted),
            "checked_by": dict(self.checked_by),
            "timings": dict(self.timings),
        }

    def dumps(self) -> str:
        """Canonical JSON text (sorted keys, no JSON numbers, trailing newline)."""
        text = json.dumps(self.to_json(), sort_keys=True, indent=1, ensure_ascii=True)
        return text + "\n"

    def save(self, path: str) -> None:
        """Write :meth:`dumps` to ``path``."""
        with open(path, "w", encoding="ascii") as fh:
            fh.write(self.dumps())

    @classmethod
    def loads(cls, text: str | bytes) -> "Certificate":
        """Parse certificate text strictly; anything malformed raises :class:`InvalidCertificate`."""
        try:
            obj = json.loads(
                text,
                parse_float=_no_json_number,
                parse_int=_no_json_number,
                parse_constant=_no_json_number,
            )
        except InvalidCertificate:
            raise
        except (ValueError, UnicodeDecodeError) as err:
            raise InvalidCertificate(f"not valid JSON: {err}") from None
        except RecursionError:
            raise InvalidCertificate("JSON nested too deeply") from None
        return cls.from_json(obj)

    @classmethod
    def from_json(cls, obj: object) -> "Certificate":
        """Validate the envelope of a parsed certificate (the claim's ``check`` validates the rest)."""
        if not isinstance(obj, dict):
            raise InvalidCertificate("certificate must be a JSON object")
        expected = {"schema", "nncert_version", "claim", "params", "witness", "admitted", "checked_by", "timings"}
        missing, extra = expected - set(obj), set(obj) - expected
        if missing or extra:
            raise InvalidCertificate(
                f"certificate fields: missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        if obj["schema"] != CERTIFICATE_SCHEMA:
            raise InvalidCertificate(f"unknown schema {_short(str(obj['schema']))!r}; expected {CERTIFICATE_SCHEMA!r}")
        for key in ("nncert_version", "claim"):
            if not isinstance(obj[key], str):
                raise InvalidCertificate(f"'{key}' must be a string")
        for key in ("params", "witness", "checked_by", "timings"):
            if not isinstance(obj[key], dict):
                raise InvalidCertificate(f"'{key}' must be an object")
        if not isinstance(obj["admitted"], list) or not all(isinstance(a, str) for a in obj["admitted"]):
            raise InvalidCertificate("'admitted' must be a list of strings")
        return cls(
            claim=obj["claim"],
            params=obj["params"],
            witness=obj["witness"],
            admitted=tuple(obj["admitted"]),
            checked_by=obj["checked_by"],
            timings=obj["timings"],
            nncert_version=obj["nncert_version"],
        )

    @classmethod
    def load(cls, path: str, max_bytes: int = 1 << 30) -> "Certificate":
        """Read a certificate file (at most ``max_bytes``)."""
        import os

        try:
            size = os.path.getsize(path)
            if size > max_bytes:
                raise InvalidCertificate(f"{path}: {size} bytes is larger than the {max_bytes}-byte limit")
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError as err:
            raise InvalidCertificate(f"cannot read {path}: {err.strerror or err}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidCertificate(f"{path}: not UTF-8 text") from None
        return cls.loads(text)


def _no_json_number(text: str) -> Any:
    raise InvalidCertificate(f"JSON number {_short(text)} found; certificates write every number as a string")
