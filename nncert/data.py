"""Exact labelled data sets: reading CSV / arrays / lists, canonical form and its hash.

Every coordinate is a :class:`~fractions.Fraction`. How numbers got exact is recorded in
``Dataset.source``:

* ``"decimal-text"``: parsed from decimal text (``"0.1"`` is exactly 1/10);
* ``"float-exact"``: binary floats converted exactly (``Fraction(0.1)`` = 3602879701896397/2**55);
* ``"exact"``: given as ints / Fractions / sympy Rationals.

Labels may be ints or strings; classes are indexed ``0..M-1`` in sorted order (numerically when
every label is an integer) and ``Dataset.classes[k]`` is the original label of class ``k``.
Exact duplicate points with equal labels are merged (recorded in ``merged``); with different labels
they raise :class:`~nncert.errors.ConflictingLabels` naming both rows.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

from nncert.core import fmt, parse_decimal, parse_exact
from nncert.errors import ConflictingLabels, DataTooLarge, InvalidArgument, InvalidCertificate, InvalidData

__all__ = ["Dataset", "MAX_POINTS", "load_csv", "from_arrays", "load_bundled", "load", "BUNDLED"]

#: Data sets larger than this need ``force=True`` (``--force`` on the CLI).
MAX_POINTS = 10**7
#: Names accepted by :func:`load_bundled` (and as DATA on the command line).
BUNDLED = ("iris", "digits")

_INT = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class Dataset:
    """Distinct exact points with class indices.

    Examples
    --------
    >>> ds = from_arrays([[0, 0], ["1/2", 1], [0, 0]], ["b", "a", "b"])
    >>> ds.n, ds.d, ds.m, ds.classes, ds.labels, ds.merged
    (2, 2, 2, ('a', 'b'), (1, 0), ((2, 0),))
    """

    points: tuple[tuple[Fraction, ...], ...]
    labels: tuple[int, ...]
    classes: tuple[str, ...]
    label_kind: str = "str"
    source: str = "exact"
    merged: tuple[tuple[int, int], ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        if not self.points:
            raise InvalidData("empty data set: no points")
        if len(self.points) != len(self.labels):
            raise InvalidData(f"{len(self.points)} points but {len(self.labels)} labels")
        d = len(self.points[0])
        if d < 1:
            raise InvalidData("points have no coordinates")
        m = len(self.classes)
        for i, (p, lab) in enumerate(zip(self.points, self.labels)):
            if len(p) != d:
                raise InvalidData(f"point {i} has {len(p)} coordinates, expected {d}")
            if not (isinstance(lab, int) and 0 <= lab < m):
                raise InvalidData(f"label index {lab!r} of point {i} is not in 0..{m - 1}")
        if self.label_kind not in ("int", "str"):
            raise InvalidData(f"label_kind must be 'int' or 'str', got {self.label_kind!r}")

    @property
    def n(self) -> int:
        """Number of distinct points N."""
        return len(self.points)

    @property
    def d(self) -> int:
        """Dimension d."""
        return len(self.points[0])

    @property
    def m(self) -> int:
        """Number of classes M (classes with no point after merging still count: they are recorded)."""
        return len(self.classes)

    # -- canonical form --------------------------------------------------------------------
    def canonical_json(self) -> dict[str, Any]:
        """Exact canonical form: points as ``"p/q"`` text, labels as index text, class names."""
        return {
            "points": [[fmt(v) for v in p] for p in self.points],
            "labels": [str(lab) for lab in self.labels],
            "classes": list(self.classes),
            "label_kind": self.label_kind,
        }

    def sha256(self) -> str:
        """SHA-256 of the canonical JSON text (sorted keys, no spaces)."""
        return _sha256(self.canonical_json())

    @classmethod
    def from_canonical_json(cls, obj: object, where: str = "data") -> "Dataset":
        """Strictly read :meth:`canonical_json` output; raises :class:`InvalidCertificate`."""
        if not isinstance(obj, dict) or set(obj) != {"points", "labels", "classes", "label_kind"}:
            raise InvalidCertificate(f"{where}: expected exactly 'points', 'labels', 'classes', 'label_kind'")
        pts, labs, classes = obj["points"], obj["labels"], obj["classes"]
        if not (isinstance(pts, list) and isinstance(labs, list) and isinstance(classes, list)):
            raise InvalidCertificate(f"{where}: points, labels and classes must be lists")
        if not all(isinstance(c, str) for c in classes):
            raise InvalidCertificate(f"{where}: class names must be strings")
        if len(set(classes)) != len(classes):
            raise InvalidCertificate(f"{where}: class names repeat")
        points = []
        for i, p in enumerate(pts):
            if not isinstance(p, list):
                raise InvalidCertificate(f"{where}.points[{i}] is not a list")
            points.append(tuple(parse_exact(v, f"{where}.points[{i}][{j}]") for j, v in enumerate(p)))
        labels = []
        for i, lab in enumerate(labs):
            if not (isinstance(lab, str) and re.fullmatch(r"0|[1-9][0-9]{0,8}", lab)):
                raise InvalidCertificate(f"{where}.labels[{i}]={lab!r} is not a class index")
            labels.append(int(lab))
        try:
            ds = cls(tuple(points), tuple(labels), tuple(classes), obj["label_kind"], "exact")
        except InvalidData as err:
            raise InvalidCertificate(f"{where}: {err}") from None
        if len(set(ds.points)) != ds.n:
            raise InvalidCertificate(f"{where}: points are not distinct")
        return ds

    # -- derived data sets -------------------------------------------------------------------
    def relabel(self, groups: Sequence[Sequence[str]], names: Sequence[str] | None = None) -> "Dataset":
        """Keep the points whose class is in one of ``groups`` and label them by group index.

        Examples
        --------
        >>> ds = from_arrays([[0], [1], [2]], ["a", "b", "c"])
        >>> ds.relabel([["a"], ["b", "c"]]).labels
        (0, 1, 1)
        """
        where = {}
        for g, members in enumerate(groups):
            for c in members:
                if str(c) not in self.classes:
                    raise InvalidArgument(f"class {c!r} is not one of {list(self.classes)}")
                if str(c) in where:
                    raise InvalidArgument(f"class {c!r} appears in two groups")
                where[str(c)] = g
        names = tuple(names) if names is not None else tuple("+".join(map(str, g)) for g in groups)
        if len(names) != len(groups):
            raise InvalidArgument(f"{len(groups)} groups but {len(names)} names")
        keep = [(p, where[self.classes[lab]]) for p, lab in zip(self.points, self.labels) if self.classes[lab] in where]
        return Dataset(tuple(p for p, _ in keep), tuple(g for _, g in keep), names, "str", self.source, (), self.name)


def _sha256(obj: object) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _finish(
    rows: list[tuple[Fraction, ...]],
    raw_labels: list[object],
    source: str,
    name: str,
    class_names: dict[str, str] | None = None,
    row_names: list[str] | None = None,
) -> Dataset:
    """Index classes, merge exact duplicates, reject conflicting ones."""
    if not rows:
        raise InvalidData("empty data set: no points")
    kinds = {type(v) for v in raw_labels}
    if kinds <= {int}:
        kind = "int"
        keys = [str(v) for v in raw_labels]
        order = sorted(set(raw_labels), key=int)  # type: ignore[arg-type]
        classes = [str(v) for v in order]
    elif kinds <= {str}:
        strs = [str(v) for v in raw_labels]
        if all(_INT.fullmatch(s) for s in strs):
            kind = "int"
            keys = [str(int(s)) for s in strs]
            classes = [str(v) for v in sorted({int(s) for s in strs})]
        else:
            kind = "str"
            keys = strs
            classes = sorted(set(strs))
    else:
        raise InvalidData(f"labels mix types {sorted(k.__name__ for k in kinds)}; use all ints or all strings")
    if class_names:
        missing = [k for k in keys if k not in class_names]
        if missing:
            raise InvalidData(f"label {missing[0]!r} has no name in the header")
        classes = [class_names[c] for c in classes]
        keys = [class_names[k] for k in keys]
        kind = "str"
    index = {c: i for i, c in enumerate(classes)}
    seen: dict[tuple[Fraction, ...], int] = {}
    points: list[tuple[Fraction, ...]] = []
    labels: list[int] = []
    kept_row: list[int] = []
    merged: list[tuple[int, int]] = []
    for r, (p, k) in enumerate(zip(rows, keys)):
        j = seen.get(p)
        if j is None:
            seen[p] = len(points)
            points.append(p)
            labels.append(index[k])
            kept_row.append(r)
        elif labels[j] == index[k]:
            merged.append((r, kept_row[j]))
        else:
            a, b = kept_row[j], r
            an = row_names[a] if row_names else f"row {a}"
            bn = row_names[b] if row_names else f"row {b}"
            raise ConflictingLabels(
                f"{an} and {bn} are the same point with different labels "
                f"{classes[labels[j]]!r} and {k!r}",
                rows=(a, b),
            )
    return Dataset(tuple(points), tuple(labels), tuple(classes), kind, source, tuple(merged), name)


def from_arrays(X: Any, y: Sequence[object], *, force: bool = False, name: str = "") -> Dataset:
    """Build a :class:`Dataset` from a numpy array or nested lists ``X`` (n x d) and labels ``y``.

    Floats (numpy or Python) are converted *exactly* (``source="float-exact"``); strings are parsed
    as decimals (``"0.1"`` is 1/10); ints, Fractions and sympy Rationals are taken as they are.

    Examples
    --------
    >>> import numpy as np
    >>> from_arrays(np.array([[0.5, 0.1]]), [0]).points[0][1] == Fraction(0.1)
    True
    >>> from_arrays([[float("nan")]], [0])
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidData: X[0][0] is NaN or infinite
    """
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) != 2:
        raise InvalidData(f"X must be 2-dimensional (n, d) but has shape {tuple(shape)}")
    try:
        n = len(X)
    except TypeError:
        raise InvalidData(f"X must be a 2-D array or a list of rows, got {type(X).__name__}") from None
    if n == 0:
        raise InvalidData("empty data set: no points")
    if n > MAX_POINTS and not force:
        raise DataTooLarge(f"{n} points is more than {MAX_POINTS}; pass force=True (--force) to proceed")
    try:
        ny = len(y)
    except TypeError:
        raise InvalidData(f"y must be a sequence of labels, got {type(y).__name__}") from None
    if ny != n:
        raise InvalidData(f"X has {n} rows but y has {ny} labels")
    rows: list[tuple[Fraction, ...]] = []
    used_float = False
    d = None
    for i in range(n):
        row = X[i]
        try:
            vals = list(row)
        except TypeError:
            raise InvalidData(f"X[{i}] is not a row") from None
        if d is None:
            d = len(vals)
            if d == 0:
                raise InvalidData("points have no coordinates")
        elif len(vals) != d:
            raise InvalidData(f"ragged rows: X[{i}] has {len(vals)} coordinates, X[0] has {d}")
        out = []
        for j, v in enumerate(vals):
            f, was_float = _exact_coordinate(v, f"X[{i}][{j}]")
            used_float |= was_float
            out.append(f)
        rows.append(tuple(out))
    labels = [_label(v, f"y[{i}]") for i, v in enumerate(y)]
    return _finish(rows, labels, "float-exact" if used_float else "exact", name)


def _exact_coordinate(v: object, where: str) -> tuple[Fraction, bool]:
    if isinstance(v, Fraction):
        return v, False
    if isinstance(v, bool):
        raise InvalidData(f"{where} is a bool, not a number")
    if isinstance(v, int) or type(v).__name__.startswith(("int", "uint")):
        return Fraction(int(v)), False  # type: ignore[arg-type]
    if isinstance(v, float) or type(v).__name__ in ("float16", "float32", "float64", "longdouble"):
        fv = float(v)  # type: ignore[arg-type]
        if not math.isfinite(fv):
            raise InvalidData(f"{where} is NaN or infinite")
        return Fraction(fv), True
    if isinstance(v, str):
        try:
            return parse_decimal(v, where), False
        except InvalidArgument as err:
            raise InvalidData(str(err)) from None
    if getattr(v, "is_Rational", False) is True:
        return Fraction(int(v.p), int(v.q)), False  # type: ignore[attr-defined]
    raise InvalidData(f"{where}={v!r} ({type(v).__name__}) is not a number")


def _label(v: object, where: str) -> object:
    if isinstance(v, bool):
        raise InvalidData(f"{where} is a bool; use ints or strings as labels")
    if isinstance(v, int) or type(v).__name__.startswith(("int", "uint")):
        return int(v)  # type: ignore[arg-type]
    if isinstance(v, str):
        if not v.strip():
            raise InvalidData(f"{where} is an empty label")
        return v.strip()
    if isinstance(v, float) or type(v).__name__.startswith("float"):
        fv = float(v)  # type: ignore[arg-type]
        if math.isfinite(fv) and fv == int(fv):
            return int(fv)
        raise InvalidData(f"{where}={v!r} is not a valid label (use ints or strings)")
    raise InvalidData(f"{where}={v!r} ({type(v).__name__}) is not a valid label (use ints or strings)")


def _read_text(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise InvalidData(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InvalidData(f"{path} is a directory, not a data file") from None
    except OSError as err:
        raise InvalidData(f"cannot read {path}: {err.strerror or err}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise InvalidData(f"{path}: corrupt gzip data ({err})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidData(f"{path}: not UTF-8 text (is it a CSV file?)") from None


def load_csv(
    path: str,
    label_column: str | int | None = None,
    *,
    force: bool = False,
    name: str = "",
    text: str | None = None,
) -> Dataset:
    """Read a CSV file (optionally gzip-compressed) into a :class:`Dataset`.

    Layouts: (1) scikit-learn's (first line ``n,d,name0,name1,...``, then features and integer
    label), (2) a header row of column names, (3) all-numeric rows. ``label_column`` is a column
    name (layout 2) or index (negative counts from the end); default: the last column. Errors name
    the line number.
    """
    if text is None:
        text = _read_text(path)
    # cheap early refusal before parsing: even if the first line were a header, too many rows remain
    if not force and text.count("\n") + (not text.endswith("\n")) - 1 > MAX_POINTS:
        raise DataTooLarge(f"{path}: more than {MAX_POINTS} rows; pass --force to proceed")
    lines = list(csv.reader(io.StringIO(text)))
    numbered = [(i + 1, [f.strip() for f in row]) for i, row in enumerate(lines) if row and any(f.strip() for f in row)]
    if not numbered:
        raise InvalidData(f"{path}: empty data set: no rows")
    first = numbered[0][1]
    class_names: dict[str, str] | None = None
    header: list[str] | None = None
    body = numbered
    if _is_sklearn_header(first, numbered[1:]):
        d_decl = int(first[1])
        names = first[2:]
        class_names = {str(i): nm for i, nm in enumerate(names)} if names else None
        body = numbered[1:]
        if label_column is not None and label_column not in (-1, d_decl, str(d_decl)):
            raise InvalidData(f"{path}: this layout keeps the label in the last column")
    elif _is_header(first, numbered[1][1] if len(numbered) > 1 else None):
        header = first
        body = numbered[1:]
    if not body:
        raise InvalidData(f"{path}: empty data set: no rows after the header")
    if len(body) > MAX_POINTS and not force:
        raise DataTooLarge(f"{path}: {len(body)} rows, more than {MAX_POINTS} rows; pass --force to proceed")
    width = len(header) if header is not None else len(body[0][1])
    if width < 2:
        raise InvalidData(f"{path}: need at least one feature column and a label column")
    lc = _label_index(label_column, header, width, path)
    rows: list[tuple[Fraction, ...]] = []
    labels: list[object] = []
    row_names: list[str] = []
    for line_no, fields in body:
        if len(fields) != width:
            raise InvalidData(f"{path}: line {line_no}: {len(fields)} fields, expected {width} (ragged rows)")
        out = []
        for j, f in enumerate(fields):
            if j == lc:
                continue
            if _INT.fullmatch(f):
                out.append(Fraction(int(f)))
                continue
            try:
                out.append(parse_decimal(f, f"{path}: line {line_no}, column {j + 1}"))
            except InvalidArgument as err:
                raise InvalidData(str(err)) from None
        lab = fields[lc]
        if not lab:
            raise InvalidData(f"{path}: line {line_no}: empty label")
        rows.append(tuple(out))
        labels.append(lab)
        row_names.append(f"line {line_no}")
    return _finish(rows, labels, "decimal-text", name or path, class_names, row_names)


def _is_sklearn_header(first: list[str], rest: list[tuple[int, list[str]]]) -> bool:
    if len(first) < 2 or not (_INT.fullmatch(first[0]) and _INT.fullmatch(first[1])):
        return False
    d = int(first[1])
    names_ok = len(first) == 2 or all(_not_number(f) for f in first[2:])
    # the declared row count must match too: "1,2,a" is more likely a data row than a header
    if not (rest and len(rest[0][1]) == d + 1 and names_ok and len(rest) == int(first[0])):
        return False
    # and the label column holds class indices into the header's names
    k = len(first) - 2
    labels = [row[-1] for _, row in rest]
    return all(_INT.fullmatch(v) and (k == 0 or 0 <= int(v) < k) for v in labels)


def _is_header(first: list[str], second: list[str] | None) -> bool:
    """A header row has text where the data rows have numbers (a text label column is not a header)."""
    text_first = {j for j, f in enumerate(first) if _not_number(f)}
    if second is None:
        return len(text_first) == len(first)
    text_second = {j for j, f in enumerate(second) if _not_number(f)}
    return bool(text_first - text_second)


def _not_number(field: str) -> bool:
    try:
        parse_decimal(field)
        return False
    except InvalidArgument:
        return True


def _label_index(label_column: str | int | None, header: list[str] | None, width: int, path: str) -> int:
    if label_column is None:
        return width - 1
    if isinstance(label_column, str) and not _INT.fullmatch(label_column.strip()):
        if header is None or label_column not in header:
            raise InvalidData(f"{path}: no column named {label_column!r}" + (f" (columns: {header})" if header else ""))
        return header.index(label_column)
    idx = int(label_column)
    if not -width <= idx < width:
        raise InvalidData(f"{path}: label column {idx} is out of range for {width} columns")
    return idx % width


def load_bundled(name: str) -> Dataset:
    """Load a bundled data set: ``"iris"`` (150 rows, 149 distinct) or ``"digits"`` (1797 rows).

    Examples
    --------
    >>> ds = load_bundled("iris"); (ds.n, ds.d, ds.m, ds.classes)
    (149, 4, 3, ('setosa', 'versicolor', 'virginica'))
    """
    from importlib import resources

    files = {"iris": "iris.csv", "digits": "digits.csv.gz"}
    if name not in files:
        raise InvalidData(f"unknown bundled data set {name!r}; choose from {list(files)}")
    ref = resources.files("nncert.datasets").joinpath(files[name])
    raw = ref.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return load_csv(files[name], text=raw.decode("utf-8"), name=name)


def load(spec: str, label_column: str | int | None = None, *, force: bool = False) -> Dataset:
    """``spec`` is a bundled name (``iris``, ``digits``) or a CSV path."""
    if spec in BUNDLED:
        return load_bundled(spec)
    return load_csv(spec, label_column, force=force)
