"""Decision rules of a classifier network and exact margins (trusted; exact arithmetic only).

A network's *class* at a point is decided from its exact outputs ``y`` by one of three rules:

* ``"argmax"`` (several outputs): class ``c`` iff ``y_c > y_j`` for every ``j != c``;
  margin of label ``c`` = ``y_c - max_{j != c} y_j``.
* ``"threshold"`` (one output, two classes, threshold ``t``): class 1 iff ``y > t``, class 0 iff ``y < t``;
  margin of label 1 = ``y - t``, of label 0 = ``t - y``.
* ``"nearest"`` (one output whose value is the class, as in nncert's memorization networks): class ``k``
  iff ``y`` is strictly closer to ``k`` than to any other class value; margin = distance from ``y`` to the
  nearest decision boundary ``k +- 1/2`` (there is no boundary below the smallest or above the largest class).

A point is classified correctly iff its margin is **> 0**: a point exactly on a decision boundary
(margin 0, a tie) has no class. This is the rule float tools get wrong: for margin 0 float64 rounding
picks an arbitrary side.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from nncert.errors import InvalidArgument

__all__ = ["MODES", "margin", "predict", "default_mode", "label_value"]

MODES = ("argmax", "threshold", "nearest")
_HALF = Fraction(1, 2)


def default_mode(output_dim: int, threshold: Fraction | None = None) -> str:
    """``argmax`` for several outputs; ``threshold`` if a threshold is given, else ``nearest``, for one.

    Examples
    --------
    >>> default_mode(3), default_mode(1), default_mode(1, Fraction(0))
    ('argmax', 'nearest', 'threshold')
    """
    if output_dim > 1:
        return "argmax"
    return "threshold" if threshold is not None else "nearest"


def _check_mode(mode: str, m: int, threshold: Fraction | None) -> None:
    if mode not in MODES:
        raise InvalidArgument(f"mode must be one of {list(MODES)}, got {mode!r}")
    if mode == "argmax" and m < 2:
        raise InvalidArgument("mode 'argmax' needs a network with at least 2 outputs; use 'threshold' or 'nearest'")
    if mode in ("threshold", "nearest") and m != 1:
        raise InvalidArgument(f"mode {mode!r} needs a network with exactly 1 output, this one has {m}")
    if mode == "threshold" and threshold is None:
        raise InvalidArgument("mode 'threshold' needs a threshold")


def margin(y: Sequence[Fraction], label: int, mode: str, threshold: Fraction | None = None,
           class_range: tuple[int, int] | None = None) -> Fraction:
    """Exact margin of ``label`` at outputs ``y`` (> 0 iff the rule picks ``label``).

    ``label`` is the output index (argmax), 0/1 (threshold) or the class value (nearest);
    ``class_range=(lo, hi)`` bounds the class values for ``nearest`` (default: all integers).

    Examples
    --------
    >>> margin((Fraction(3), Fraction(1), Fraction(3)), 0, "argmax")
    Fraction(0, 1)
    >>> margin((Fraction(7, 4),), 2, "nearest"), margin((Fraction(-5),), 0, "nearest", class_range=(0, 2))
    (Fraction(1, 4), Fraction(11, 2))
    >>> margin((Fraction(1, 3),), 0, "threshold", Fraction(1, 2))
    Fraction(1, 6)
    """
    _check_mode(mode, len(y), threshold)
    if mode == "argmax":
        if not 0 <= label < len(y):
            raise InvalidArgument(f"label {label} is not an output index 0..{len(y) - 1}")
        return y[label] - max(v for j, v in enumerate(y) if j != label)
    v = y[0]
    if mode == "threshold":
        if label not in (0, 1):
            raise InvalidArgument(f"threshold rule has classes 0 and 1, got label {label}")
        assert threshold is not None
        return v - threshold if label == 1 else threshold - v
    lo_ok = class_range is not None and label == class_range[0]
    hi_ok = class_range is not None and label == class_range[1]
    if class_range is not None and not class_range[0] <= label <= class_range[1]:
        raise InvalidArgument(f"label {label} is outside the class range {class_range}")
    sides = []
    if not lo_ok:
        sides.append(v - (label - _HALF))
    if not hi_ok:
        sides.append((label + _HALF) - v)
    if not sides:  # a single class: every output picks it
        return Fraction(1)
    return min(sides)


def predict(y: Sequence[Fraction], mode: str, threshold: Fraction | None = None,
            class_range: tuple[int, int] | None = None) -> int | None:
    """The class the rule picks at outputs ``y``, or None on a decision boundary (a tie).

    Examples
    --------
    >>> predict((Fraction(1), Fraction(2)), "argmax"), predict((Fraction(1), Fraction(1)), "argmax")
    (1, None)
    >>> predict((Fraction(5, 2),), "nearest"), predict((Fraction(12, 5),), "nearest")
    (None, 2)
    """
    _check_mode(mode, len(y), threshold)
    if mode == "argmax":
        best = max(y)
        top = [j for j, v in enumerate(y) if v == best]
        return top[0] if len(top) == 1 else None
    v = y[0]
    if mode == "threshold":
        assert threshold is not None
        return 1 if v > threshold else (0 if v < threshold else None)
    k = (2 * v + 1) // 2  # floor(v + 1/2): nearest integer, ties go up; check the tie below
    if v - Fraction(k) == -_HALF and (class_range is None or class_range[0] < k <= class_range[1]):
        return None  # exactly between classes k-1 and k
    if class_range is not None:
        k = min(max(k, class_range[0]), class_range[1])
    return int(k)


def label_value(label_index: int, classes: Sequence[str], label_kind: str) -> int:
    """Output index / class value of a data set label: the integer label itself for integer labels,
    else the class index.

    Examples
    --------
    >>> label_value(0, ("3", "5"), "int"), label_value(1, ("a", "b"), "str")
    (3, 1)
    """
    if label_kind == "int":
        return int(classes[label_index])
    return label_index
