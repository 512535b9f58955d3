"""Exact import and export of ReLU MLPs: ONNX, PyTorch, NumPy (``docs/interop_and_robustness.md``).

Import reads a user's float weights *exactly*: every float16/float32/float64 value is a dyadic
rational and becomes that :class:`~fractions.Fraction` (``Fraction(0.1)`` is
3602879701896397/2**55, not 1/10). The result is an :class:`ImportedModel`: the exact
:class:`~nncert.core.Network` plus where it came from (format, source dtype, opset).

* ONNX: the MatMul / Gemm / Add / Relu / Flatten subset (plus ``Constant`` nodes holding a tensor).
  Consecutive affine nodes are composed exactly; a ``Relu`` closes a hidden layer. Anything else
  raises :class:`~nncert.errors.UnsupportedModel` naming the op and the node.
* PyTorch (optional; imported lazily): an ``nn.Sequential`` of ``Linear`` / ``ReLU`` (``Flatten`` and
  ``Identity`` are accepted as no-ops on flat inputs), or its state dict (then a ReLU is assumed
  between consecutive ``Linear`` layers, none after the last).
* NumPy: lists of weight matrices (``(out, in)`` like PyTorch, or ``(in, out)`` with
  ``layout="in_out"``) and bias vectors.

Export writes ONNX (opset :data:`DEFAULT_OPSET`, one ``Gemm`` + ``Relu`` per hidden layer, float64
by default) and PyTorch modules. An ONNX file written by nncert also carries the exact network as
metadata (``nncert.exact_network``); on import it is used only if every exact weight rounds to the
float stored in the tensors, so a float64 export of *any* exact network re-imports exactly.
``float32`` export warns (:class:`RoundingWarning`) when rounding changes an output on given data.

This module is an importer/exporter, not a checker: what it returns is checked by
:mod:`nncert.verify`. Floats appear here only as the *source* of exact values (converted exactly)
and in the numeric onnxruntime/PyTorch paths, which say so.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

from nncert.core import Network
from nncert.errors import InvalidArgument, InvalidCertificate, InvalidNetwork, UnsupportedModel

__all__ = [
    "ImportedModel",
    "ExportedOnnx",
    "RoundingWarning",
    "DEFAULT_OPSET",
    "ONNX_OPS",
    "MAX_MODEL_BYTES",
    "exact_array",
    "from_numpy",
    "load_onnx",
    "onnx_bytes",
    "save_onnx",
    "run_onnx",
    "rounded",
    "float_error_bound",
    "from_torch",
    "to_torch",
    "load_model",
]

#: ONNX opset written by :func:`onnx_bytes` (Gemm/Relu have been stable since opset 13).
DEFAULT_OPSET = 13
#: ONNX ops the importer understands (``Constant`` only as a holder of a weight tensor).
ONNX_OPS = ("MatMul", "Gemm", "Add", "Relu", "Flatten", "Constant")
#: Model files larger than this are refused.
MAX_MODEL_BYTES = 1 << 30
_META_NETWORK = "nncert.exact_network"
_META_END = "nncert.end"  # written last: its absence reveals a file cut at a field boundary
_FLOAT_DTYPES = ("float16", "float32", "float64")


class RoundingWarning(UserWarning):
    """Exporting in a lower precision changed an output on the given data."""


@dataclass(frozen=True)
class ImportedModel:
    """An exact network and its provenance.

    ``source_dtype`` is the set of tensor dtypes read (``"float32"``, ``"float64"``, ``"mixed:float32,float64"``,
    ``"exact"`` for Fractions/ints); ``exact_from`` says where the exact values came from:
    ``"tensors"`` (the floats themselves, converted exactly) or ``"nncert metadata"`` (the exact network an
    nncert export embedded, checked to round to the stored tensors).
    """

    network: Network
    source_format: str
    source_dtype: str
    opset: int | None = None
    exact_from: str = "tensors"
    input_shape: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        """One line: format, dtype, opset, shape, where exact values came from."""
        net = self.network
        op = f", opset {self.opset}" if self.opset is not None else ""
        ws = net.widths
        shape = (f"hidden widths {list(ws)}" if len(ws) <= 8 else
                 f"{len(ws)} hidden layers of widths {min(ws)}..{max(ws)}")
        return (f"{self.source_format} ({self.source_dtype}{op}): {net.input_dim} inputs, {shape}, "
                f"{net.output_dim} outputs; exact values from {self.exact_from}")


# ----------------------------------------------------------------------------------------------
# exact conversion of arrays
def exact_array(arr: Any, name: str) -> tuple[Any, str]:
    """Nested tuples of exact Fractions for a numeric array, and its dtype name.

    Floats are converted exactly (a float is a dyadic rational); NaN/inf raise
    :class:`~nncert.errors.InvalidNetwork` naming the tensor and index.

    Examples
    --------
    >>> import numpy as np
    >>> exact_array(np.array([0.5, 0.1], dtype=np.float32), "b")[0]
    (Fraction(1, 2), Fraction(13421773, 134217728))
    >>> exact_array(np.array([[1.0, np.nan]]), "W")
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidNetwork: W[0, 1] is nan; NaN/inf weights have no exact value
    """
    import numpy as np

    a = np.asarray(arr)
    kind = a.dtype.name
    if a.dtype.kind == "f":
        if kind not in _FLOAT_DTYPES:
            raise UnsupportedModel(f"{name}: dtype {kind} is not supported (use float16/float32/float64)")
        bad = np.argwhere(~np.isfinite(a))
        if bad.size:
            idx = tuple(int(i) for i in bad[0])
            where = ", ".join(map(str, idx))
            raise InvalidNetwork(f"{name}[{where}] is {a[idx]}; NaN/inf weights have no exact value")
        flat = [Fraction(v) for v in a.astype(np.float64).ravel().tolist()]  # float16/32 -> 64 is exact
    elif a.dtype.kind in "iub":
        if a.dtype.kind == "b":
            raise UnsupportedModel(f"{name}: boolean tensors are not weights")
        flat = [Fraction(int(v)) for v in a.ravel().tolist()]
    elif a.dtype.kind == "O":
        from nncert.core import to_fraction

        try:
            flat = [to_fraction(v, name) for v in a.ravel().tolist()]
        except InvalidArgument as err:
            raise InvalidNetwork(str(err)) from None
        kind = "exact"
    else:
        raise UnsupportedModel(f"{name}: dtype {kind} is not a numeric tensor")
    return _nest(flat, a.shape), kind


def _nest(flat: list, shape: tuple[int, ...]) -> Any:
    if len(shape) == 0:
        return flat[0]
    if len(shape) == 1:
        return tuple(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return tuple(_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0]))


def _dtype_label(kinds: set[str]) -> str:
    kinds = {k for k in kinds if k}
    if not kinds:
        return "exact"
    if len(kinds) == 1:
        return next(iter(kinds))
    return "mixed:" + ",".join(sorted(kinds))


class _Builder:
    """Collects affine maps and ReLUs in order and composes consecutive affine maps exactly."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.layers: list[tuple[tuple, tuple]] = []
        self.pending: tuple[list[list[Fraction]], list[Fraction]] | None = None
        self.dim: int | None = None  # current feature dimension, if known
        self.after_relu = False

    def affine(self, w: Sequence[Sequence[Fraction]], b: Sequence[Fraction] | None, what: str) -> None:
        rows = [list(r) for r in w]
        if not rows or not rows[0]:
            raise InvalidNetwork(f"{what}: empty weight matrix")
        out_dim, in_dim = len(rows), len(rows[0])
        if self.dim is not None and in_dim != self.dim:
            raise InvalidNetwork(f"{what}: weight takes {in_dim} inputs but the previous layer has {self.dim} outputs")
        bias = list(b) if b is not None else [Fraction(0)] * out_dim
        if len(bias) != out_dim:
            raise InvalidNetwork(f"{what}: bias has {len(bias)} entries but the weight has {out_dim} rows")
        if self.pending is None:
            self.pending = (rows, bias)
        else:
            pw, pb = self.pending  # new(x) = W (PW x + pb) + b
            nw = [[sum((r[k] * pw[k][j] for k in range(in_dim)), Fraction(0)) for j in range(len(pw[0]))] for r in rows]
            nb = [sum((r[k] * pb[k] for k in range(in_dim)), bi) for r, bi in zip(rows, bias)]
            self.pending = (nw, nb)
        self.dim = out_dim
        self.after_relu = False

    def add_bias(self, b: Sequence[Fraction], what: str) -> None:
        if self.dim is None:
            raise UnsupportedModel(f"{what}: Add before any weight layer (input dimension unknown)")
        if len(b) == 1 and self.dim != 1:
            b = [b[0]] * self.dim  # scalar broadcast
        if len(b) != self.dim:
            raise InvalidNetwork(f"{what}: adds {len(b)} values to a layer with {self.dim} outputs")
        if self.pending is None:  # Add right after a ReLU (or at the input): identity affine + bias
            self.pending = ([[Fraction(int(i == j)) for j in range(self.dim)] for i in range(self.dim)], list(b))
        else:
            pw, pb = self.pending
            self.pending = (pw, [x + y for x, y in zip(pb, b)])
        self.after_relu = False

    def relu(self, what: str) -> None:
        if self.pending is None:
            if self.after_relu:
                return  # ReLU(ReLU(x)) = ReLU(x)
            if self.dim is None:
                raise UnsupportedModel(f"{what}: Relu before any weight layer (input dimension unknown)")
            self.pending = ([[Fraction(int(i == j)) for j in range(self.dim)] for i in range(self.dim)],
                            [Fraction(0)] * self.dim)
        w, b = self.pending
        self.layers.append((tuple(tuple(r) for r in w), tuple(b)))
        self.pending = None
        self.after_relu = True

    def finish(self) -> Network:
        if self.pending is None:
            if not self.layers:
                raise UnsupportedModel(f"{self.where}: the model has no weight layer")
            n = len(self.layers[-1][0])
            one, zero = Fraction(1), Fraction(0)
            self.pending = ([[one if i == j else zero for j in range(n)] for i in range(n)], [zero] * n)
        w, b = self.pending
        layers = self.layers + [(tuple(tuple(r) for r in w), tuple(b))]
        return Network(tuple(lw for lw, _ in layers), tuple(lb for _, lb in layers))


# ----------------------------------------------------------------------------------------------
# NumPy
def from_numpy(weights: Sequence[Any], biases: Sequence[Any], *, layout: str = "out_in") -> ImportedModel:
    """Exact network from lists of weight matrices and bias vectors (ReLU between layers, none after the last).

    ``layout="out_in"`` (default, like PyTorch and :class:`~nncert.core.Network`): ``W`` has shape
    (outputs, inputs); ``"in_out"``: shape (inputs, outputs), as in ``x @ W``.

    Examples
    --------
    >>> import numpy as np
    >>> m = from_numpy([np.array([[1.0, -1.0], [-1.0, 1.0]]), np.array([[1.0, 1.0]])], [np.zeros(2), np.zeros(1)])
    >>> m.network([Fraction(1, 4), 1]), m.source_dtype
    ((Fraction(3, 4),), 'float64')
    """
    import numpy as np

    if layout not in ("out_in", "in_out"):
        raise InvalidArgument(f"layout must be 'out_in' or 'in_out', got {layout!r}")
    if isinstance(weights, (str, bytes)) or isinstance(biases, (str, bytes)):
        raise InvalidNetwork("weights and biases must be lists of arrays")
    if len(weights) != len(biases):
        raise InvalidNetwork(f"{len(weights)} weight matrices but {len(biases)} bias vectors")
    if not weights:
        raise InvalidNetwork("no layers given")
    b = _Builder("numpy")
    kinds: set[str] = set()
    for k, (w, bias) in enumerate(zip(weights, biases)):
        wa, ba = np.asarray(w), np.asarray(bias)
        if wa.ndim != 2:
            raise InvalidNetwork(f"weights[{k}] has shape {wa.shape}, expected a matrix")
        if ba.ndim != 1:
            raise InvalidNetwork(f"biases[{k}] has shape {ba.shape}, expected a vector")
        if layout == "in_out":
            wa = wa.T
        we, kw = exact_array(wa, f"weights[{k}]")
        be, kb = exact_array(ba, f"biases[{k}]")
        kinds |= {kw, kb}
        if k:
            b.relu(f"layer {k}")
        b.affine(we, be, f"layer {k}")
    return ImportedModel(b.finish(), "numpy", _dtype_label(kinds - {"exact"}) if kinds - {"exact"} else "exact")


# ----------------------------------------------------------------------------------------------
# ONNX import
def _read_bytes(source: str | bytes | os.PathLike) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), "<bytes>"
    path = os.fspath(source)
    try:
        size = os.path.getsize(path)
        if size > MAX_MODEL_BYTES:
            raise InvalidNetwork(f"{path}: {size} bytes is larger than the {MAX_MODEL_BYTES}-byte limit")
        with open(path, "rb") as fh:
            return fh.read(), path
    except OSError as err:
        raise InvalidNetwork(f"cannot read {path}: {err.strerror or err}") from None


def _parse_onnx(raw: bytes, where: str) -> Any:
    import onnx

    if not raw:
        raise InvalidNetwork(f"{where}: empty file, not an ONNX model")
    model = onnx.ModelProto()
    try:
        model.ParseFromString(raw)
    except Exception as err:  # noqa: BLE001 - protobuf raises DecodeError (and others on garbage)
        raise InvalidNetwork(f"{where}: not a readable ONNX model (corrupt or truncated: {type(err).__name__})") from None
    if not model.HasField("graph") or not model.graph.node:
        raise InvalidNetwork(f"{where}: not a readable ONNX model (no graph; corrupt or truncated)")
    try:
        onnx.checker.check_model(model)
    except Exception as err:  # noqa: BLE001 - onnx.checker.ValidationError and friends
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InvalidNetwork(f"{where}: invalid ONNX model ({first[:200]})") from None
    return model


def load_onnx(source: str | bytes | os.PathLike, *, use_exact_metadata: bool = True) -> ImportedModel:
    """Read an ONNX ReLU MLP exactly.

    ``source`` is a path or the serialized bytes. With ``use_exact_metadata`` (default) the exact network an
    nncert export embedded is used, after checking that every exact weight rounds to the stored float
    (a mismatch raises :class:`~nncert.errors.InvalidNetwork`); otherwise the floats themselves are the
    network.

    Examples
    --------
    >>> net = Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> m = load_onnx(onnx_bytes(net))
    >>> m.network == net, m.source_dtype, m.opset
    (True, 'float64', 13)
    """
    import numpy as np
    from onnx import numpy_helper

    raw, where = _read_bytes(source)
    model = _parse_onnx(raw, where)
    g = model.graph
    opset = next((int(o.version) for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    consts: dict[str, Any] = {}
    for init in g.initializer:
        try:
            consts[init.name] = numpy_helper.to_array(init)
        except Exception as err:  # noqa: BLE001 - malformed tensor payloads
            raise InvalidNetwork(f"{where}: initializer {init.name!r} cannot be read ({type(err).__name__})") from None
    inputs = [i for i in g.input if i.name not in consts]
    if len(inputs) != 1:
        raise UnsupportedModel(f"{where}: expected exactly one graph input, found {[i.name for i in inputs]}")
    if len(g.output) != 1:
        raise UnsupportedModel(f"{where}: expected exactly one graph output, found {[o.name for o in g.output]}")
    inp = inputs[0]
    dims = tuple(
        (str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?"))
        for d in inp.type.tensor_type.shape.dim
    )
    b = _Builder(where)
    if len(dims) == 2 and dims[1].isdigit():
        b.dim = int(dims[1])
    elif len(dims) == 1 and dims[0].isdigit():
        b.dim = int(dims[0])
    current = inp.name
    kinds: set[str] = set()

    def const(name: str, node_desc: str) -> Any:
        if name not in consts:
            raise UnsupportedModel(f"{node_desc}: input {name!r} must be a constant (initializer or Constant node)")
        return consts[name]

    for idx, node in enumerate(g.node):
        desc = f"node {idx} {node.name!r} ({node.op_type})" if node.name else f"node {idx} ({node.op_type})"
        if node.domain not in ("", "ai.onnx"):
            raise UnsupportedModel(f"{desc}: op {node.op_type!r} of domain {node.domain!r} is not supported; "
                                   f"supported: {', '.join(ONNX_OPS)}")
        op = node.op_type
        attrs = {a.name: a for a in node.attribute}
        if op not in ONNX_OPS:
            raise UnsupportedModel(f"{desc}: op {op!r} is not supported; supported: {', '.join(ONNX_OPS)}")
        if op == "Constant":
            if set(attrs) != {"value"} or len(node.output) != 1:
                raise UnsupportedModel(f"{desc}: only Constant nodes with a 'value' tensor are supported")
            consts[node.output[0]] = numpy_helper.to_array(attrs["value"].t)
            continue
        if len(node.output) != 1:
            raise UnsupportedModel(f"{desc}: expected one output")
        acts = [n for n in node.input if n and n not in consts]
        if acts != [current]:
            raise UnsupportedModel(
                f"{desc}: the graph must be a chain; this node reads {list(node.input)} but the current tensor is "
                f"{current!r}")
        if op == "Relu":
            b.relu(desc)
        elif op == "Flatten":
            axis = attrs["axis"].i if "axis" in attrs else 1
            if axis != 1:
                raise UnsupportedModel(f"{desc}: Flatten with axis={axis} is not supported (only axis=1)")
            if b.dim is None and len(dims) > 2 and all(d.isdigit() for d in dims[1:]):
                b.dim = math.prod(int(d) for d in dims[1:])
        elif op == "MatMul":
            if node.input[0] != current:
                raise UnsupportedModel(f"{desc}: MatMul must multiply the activation from the left (x @ W)")
            w = np.asarray(const(node.input[1], desc))
            if w.ndim != 2:
                raise InvalidNetwork(f"{desc}: weight {node.input[1]!r} has shape {w.shape}, expected 2-D")
            we, kw = exact_array(w.T, f"{desc} weight {node.input[1]!r}")
            kinds.add(kw)
            b.affine(we, None, desc)
        elif op == "Gemm":
            if node.input[0] != current:
                raise UnsupportedModel(f"{desc}: Gemm's first input must be the activation")
            ta = attrs["transA"].i if "transA" in attrs else 0
            tb = attrs["transB"].i if "transB" in attrs else 0
            if ta:
                raise UnsupportedModel(f"{desc}: Gemm with transA=1 is not supported")
            alpha = Fraction(attrs["alpha"].f) if "alpha" in attrs else Fraction(1)  # float32 attribute, exact
            beta = Fraction(attrs["beta"].f) if "beta" in attrs else Fraction(1)
            w = np.asarray(const(node.input[1], desc))
            if w.ndim != 2:
                raise InvalidNetwork(f"{desc}: weight {node.input[1]!r} has shape {w.shape}, expected 2-D")
            we, kw = exact_array(w if tb else w.T, f"{desc} weight {node.input[1]!r}")
            kinds.add(kw)
            be = None
            if len(node.input) > 2 and node.input[2]:
                c = np.asarray(const(node.input[2], desc))
                if c.ndim == 2 and c.shape[0] == 1:
                    c = c[0]
                if c.ndim > 1:
                    raise InvalidNetwork(f"{desc}: bias {node.input[2]!r} has shape {c.shape}, expected a vector")
                ce, kc = exact_array(np.atleast_1d(c), f"{desc} bias {node.input[2]!r}")
                kinds.add(kc)
                if len(ce) == 1 and len(we) != 1:
                    ce = ce * len(we)
                be = [beta * v for v in ce]
            if alpha != 1:
                we = [[alpha * v for v in row] for row in we]
            b.affine(we, be, desc)
        elif op == "Add":
            cnames = [n for n in node.input if n in consts]
            if len(cnames) != 1:
                raise UnsupportedModel(f"{desc}: Add must add one constant to the activation")
            c = np.asarray(consts[cnames[0]])
            if c.ndim == 2 and c.shape[0] == 1:
                c = c[0]
            if c.ndim > 1:
                raise InvalidNetwork(f"{desc}: added constant {cnames[0]!r} has shape {c.shape}, expected a vector")
            ce, kc = exact_array(np.atleast_1d(c), f"{desc} constant {cnames[0]!r}")
            kinds.add(kc)
            b.add_bias(ce, desc)
        current = node.output[0]
    if current != g.output[0].name:
        raise UnsupportedModel(f"{where}: graph output {g.output[0].name!r} is not the end of the node chain "
                               f"({current!r})")
    net = b.finish()
    dtype = _dtype_label(kinds)
    meta = {p.key: p.value for p in model.metadata_props}
    _check_nncert_metadata(model.producer_name, meta, where)
    exact_from = "tensors"
    notes: list[str] = []
    if use_exact_metadata and _META_NETWORK in meta:
        exact = _exact_from_metadata(meta[_META_NETWORK], where)
        mismatch = _rounding_mismatch(exact, net, dtype)
        if mismatch:
            raise InvalidNetwork(f"{where}: embedded exact network disagrees with the float tensors at {mismatch}; "
                                 "load with use_exact_metadata=False (CLI: --float-weights) to use the floats")
        if exact != net:
            notes.append("exact metadata differs from the float tensors by rounding only")
        net, exact_from = exact, "nncert metadata"
    return ImportedModel(net, "onnx", dtype, opset, exact_from, dims, tuple(notes))


def _check_nncert_metadata(producer: str, meta: Mapping[str, str], where: str) -> None:
    """Files nncert writes end with the ``nncert.end`` entry; a missing tail means a truncated file."""
    ours = [k for k in meta if k.startswith("nncert.")]
    if (producer == "nncert" or ours) and meta.get(_META_END) != "1":
        raise InvalidNetwork(f"{where}: written by nncert but its metadata is incomplete (truncated file?)")


def _exact_from_metadata(text: str, where: str) -> Network:
    try:
        obj = json.loads(text, parse_float=_no_number, parse_int=_no_number, parse_constant=_no_number)
        return Network.from_json(obj, "nncert.exact_network")
    except (ValueError, InvalidCertificate, RecursionError) as err:
        raise InvalidNetwork(f"{where}: metadata {_META_NETWORK} is malformed ({str(err)[:120]})") from None


def _no_number(text: str) -> Any:
    raise ValueError(f"JSON number {text[:20]}")


def _round(v: Fraction, dtype: str) -> Fraction:
    """The exact value of ``v`` rounded to ``dtype`` (float64: correctly rounded; float32/16 via float64)."""
    import numpy as np

    f = float(v)  # Fraction.__float__ is correctly rounded
    if dtype == "float32":
        f = float(np.float32(f))
    elif dtype == "float16":
        f = float(np.float16(f))
    return Fraction(f)


def rounded(net: Network, dtype: str = "float64") -> Network:
    """The exact network whose weights are ``net``'s weights rounded to ``dtype`` (what a float file holds).

    Examples
    --------
    >>> rounded(Network.from_rows([[["1/3"]]], [["1/2"]])).weights[0][0][0] == Fraction(1 / 3)
    True
    """
    if dtype not in _FLOAT_DTYPES:
        raise InvalidArgument(f"dtype must be one of {list(_FLOAT_DTYPES)}, got {dtype!r}")
    return Network(
        tuple(tuple(tuple(_round(v, dtype) for v in row) for row in w) for w in net.weights),
        tuple(tuple(_round(v, dtype) for v in b) for b in net.biases),
    )


def _rounding_mismatch(exact: Network, stored: Network, dtype: str) -> str:
    if dtype not in _FLOAT_DTYPES:
        return f"dtype {dtype}"
    if exact.widths != stored.widths or exact.input_dim != stored.input_dim or exact.output_dim != stored.output_dim:
        return f"shape (metadata {exact.input_dim}->{list(exact.widths)}->{exact.output_dim}, tensors " \
               f"{stored.input_dim}->{list(stored.widths)}->{stored.output_dim})"
    for k, (we, ws) in enumerate(zip(exact.weights, stored.weights)):
        for r, (re_, rs) in enumerate(zip(we, ws)):
            for c, (a, s) in enumerate(zip(re_, rs)):
                if _round(a, dtype) != s:
                    return f"weights[{k}][{r}][{c}]"
    for k, (be, bs) in enumerate(zip(exact.biases, stored.biases)):
        for r, (a, s) in enumerate(zip(be, bs)):
            if _round(a, dtype) != s:
                return f"biases[{k}][{r}]"
    return ""


# ----------------------------------------------------------------------------------------------
# ONNX export
@dataclass(frozen=True)
class ExportedOnnx:
    """Serialized ONNX model with what was written: dtype, opset, whether rounding was exact."""

    data: bytes
    dtype: str
    opset: int
    weights_exact: bool
    max_output_change: Fraction | None = None
    changed_points: int | None = None


def onnx_bytes(net: Network, *, dtype: str = "float64", opset: int = DEFAULT_OPSET, embed_exact: bool = True,
               producer: str = "nncert") -> bytes:
    """Serialize ``net`` as ONNX: input ``x`` (N, d), one ``Gemm`` (+ ``Relu``) per layer, output ``y`` (N, m).

    Weights are rounded to ``dtype`` (float64 default). With ``embed_exact`` the exact network is stored in
    the metadata (``nncert.exact_network``) so :func:`load_onnx` gives it back exactly.
    """
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if dtype not in ("float32", "float64"):
        raise InvalidArgument(f"ONNX export dtype must be 'float32' or 'float64', got {dtype!r}")
    if not isinstance(opset, int) or not 13 <= opset <= onnx.defs.onnx_opset_version():
        raise InvalidArgument(f"opset must be an integer in 13..{onnx.defs.onnx_opset_version()}, got {opset!r}")
    np_t = np.float64 if dtype == "float64" else np.float32
    elem = TensorProto.DOUBLE if dtype == "float64" else TensorProto.FLOAT
    nodes, inits = [], []
    cur = "x"
    last = net.depth
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        W = np.array([[float(v) for v in row] for row in w], dtype=np.float64).astype(np_t)
        B = np.array([float(v) for v in b], dtype=np.float64).astype(np_t)
        inits += [numpy_helper.from_array(W, f"W{k}"), numpy_helper.from_array(B, f"b{k}")]
        out = "y" if k == last else f"z{k}"
        nodes.append(helper.make_node("Gemm", [cur, f"W{k}", f"b{k}"], [out], name=f"gemm{k}", transB=1))
        if k != last:
            nodes.append(helper.make_node("Relu", [out], [f"h{k}"], name=f"relu{k}"))
            cur = f"h{k}"
    graph = helper.make_graph(
        nodes, "nncert_relu_mlp",
        [helper.make_tensor_value_info("x", elem, ["N", net.input_dim])],
        [helper.make_tensor_value_info("y", elem, ["N", net.output_dim])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name=producer)
    model.ir_version = min(model.ir_version, 10)  # readable by onnxruntime releases of the last two years
    meta = {"nncert.dtype": dtype, "nncert.opset": str(opset)}
    if embed_exact:
        meta[_META_NETWORK] = json.dumps(net.to_json(), separators=(",", ":"), sort_keys=True)
    meta[_META_END] = "1"
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model)
    return model.SerializeToString()


def run_onnx(model: bytes | str | os.PathLike, X: Any) -> Any:
    """Run an ONNX model in onnxruntime (CPU, one thread) on a batch ``X``; numeric path (float outputs).

    ``X`` is cast to the model input's float type.
    """
    import numpy as np
    import onnxruntime as ort

    raw, _ = _read_bytes(model) if not isinstance(model, (bytes, bytearray)) else (bytes(model), "<bytes>")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    sess = ort.InferenceSession(raw, sess_options=opts, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    t = np.float64 if inp.type == "tensor(double)" else np.float32
    return sess.run(None, {inp.name: np.asarray(X, dtype=t)})[0]


def save_onnx(net: Network, path: str | os.PathLike, *, dtype: str = "float64", opset: int = DEFAULT_OPSET,
              data: Sequence[Sequence[Fraction]] | None = None, embed_exact: bool = True) -> ExportedOnnx:
    """Write ``net`` to ``path`` as ONNX and report what rounding did.

    With ``data`` (exact points) the file is run in onnxruntime on them and compared with the exact outputs;
    for ``float32`` a :class:`RoundingWarning` is issued (printed by Python's warnings machinery) when any
    output differs from the exact one, giving the number of such points and the largest change.
    Without ``data`` a float32 export warns that the effect of rounding was not checked.
    """
    raw = onnx_bytes(net, dtype=dtype, opset=opset, embed_exact=embed_exact)
    exact_weights = rounded(net, dtype) == net
    change, changed = None, None
    if data is not None:
        from nncert.verify.exact import evaluate_many

        pts = [tuple(p) for p in data]
        exact = evaluate_many(net, pts)
        out = run_onnx(raw, [[float(v) for v in p] for p in pts])
        diffs = [max(abs(Fraction(float(o)) - e) for o, e in zip(orow, erow)) for orow, erow in zip(out.tolist(), exact)]
        change = max(diffs, default=Fraction(0))
        changed = sum(1 for d in diffs if d)
        if dtype == "float32" and changed:
            warnings.warn(
                f"float32 export changes the output at {changed} of {len(pts)} points "
                f"(largest change {float(change):.3g}); use the float64 default for a faithful file",
                RoundingWarning, stacklevel=2)
    elif dtype == "float32" and not exact_weights:
        warnings.warn("float32 export rounds some weights and no data was given to measure the effect on outputs",
                      RoundingWarning, stacklevel=2)
    with open(path, "wb") as fh:
        fh.write(raw)
    return ExportedOnnx(raw, dtype, opset, exact_weights, change, changed)


def _up(v: Fraction) -> Fraction:
    """Smallest float64 >= v (as a Fraction): keeps error bounds rigorous and their size small."""
    f = float(v)
    if Fraction(f) < v:
        f = math.nextafter(f, math.inf)
    return Fraction(f)


def float_error_bound(net: Network, x: Sequence[Fraction], dtype: str = "float64") -> Fraction:
    """Rigorous a-priori bound on ``max_j |y_j - f(x)_j|`` for *any* IEEE evaluation ``y`` of ``net`` at ``x``
    in ``dtype`` (weights, biases and ``x`` rounded to nearest, dot products summed in any order, FMA or not).

    Standard forward error analysis (Higham, Thm 3.5): a length-n dot product plus bias has error at most
    ``gamma_{n+1} (|W||h| + |b|)`` with ``gamma_n = n u / (1 - n u)``; rounding weights adds ``u |W| |h|``, ReLU is
    1-Lipschitz (and a unit whose exact pre-activation is <= -bound outputs exactly 0 in both), and errors
    propagate through ``|W|``. Computed in exact rationals, rounded up. Cost: one exact evaluation.

    Examples
    --------
    >>> net = Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> float_error_bound(net, [Fraction(1, 3), Fraction(1)]) < Fraction(1, 10**14)
    True
    """
    u = Fraction(1, 2**53) if dtype == "float64" else Fraction(1, 2**24)
    if dtype not in ("float32", "float64"):
        raise InvalidArgument(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    h = [Fraction(v) for v in x]
    if len(h) != net.input_dim:
        raise InvalidArgument(f"point has {len(h)} coordinates but the network takes {net.input_dim}")
    e = [_up(u * abs(v)) if _round(v, dtype) != v else Fraction(0) for v in h]
    last = net.depth
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        n = len(w[0]) + 1
        gamma = n * u / (1 - n * u)
        new_h, new_e = [], []
        for row, bi in zip(w, b):
            pre = sum((wi * hi for wi, hi in zip(row, h)), bi)
            absw_h = sum((abs(wi) * abs(hi) for wi, hi in zip(row, h) if wi), Fraction(0))
            absw_e = sum((abs(wi) * ei for wi, ei in zip(row, e) if wi and ei), Fraction(0))
            err = (gamma * ((1 + u) * (absw_h + absw_e) + (1 + u) * abs(bi))
                   + (1 + u) * absw_e + u * absw_h + u * abs(bi))
            err = _up(err)
            if k != last and pre <= -err:
                err = Fraction(0)  # the computed pre-activation is <= 0 too: both ReLUs give exactly 0
            new_h.append(pre if k == last or pre > 0 else Fraction(0))
            new_e.append(err)
        h, e = new_h, new_e
    return max(e)


# ----------------------------------------------------------------------------------------------
# PyTorch (optional)
def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise UnsupportedModel("PyTorch is not installed; install it (pip install 'nncert[torch]') to read or "
                               "write PyTorch models, or export the model to ONNX") from None
    return torch


def from_torch(model: Any) -> ImportedModel:
    """Exact network from a PyTorch ``nn.Sequential`` of Linear/ReLU (Flatten/Identity: no-ops) or its state dict.

    A state dict (mapping ``"<i>.weight"``/``"<i>.bias"`` to tensors) is read in key order with a ReLU between
    consecutive Linear layers and none after the last. PyTorch is imported only when needed.
    """
    torch = _torch()
    b = _Builder("torch")
    kinds: set[str] = set()

    def tensor(t: Any, name: str) -> tuple[Any, str]:
        if not isinstance(t, torch.Tensor):
            raise InvalidNetwork(f"{name}: expected a tensor, got {type(t).__name__}")
        arr = t.detach().cpu()
        src = str(arr.dtype).replace("torch.", "")
        if arr.is_floating_point():
            if src not in ("float16", "bfloat16", "float32", "float64"):
                raise UnsupportedModel(f"{name}: dtype {src} is not supported")
            arr = arr.to(torch.float64)  # every float16/bfloat16/float32 value is a float64 value: exact
        vals, _ = exact_array(arr.numpy(), name)
        return vals, src

    if isinstance(model, Mapping):
        groups: dict[str, dict[str, Any]] = {}
        for key, val in model.items():
            if not isinstance(key, str) or "." not in key:
                raise UnsupportedModel(f"state dict key {key!r} is not '<layer>.weight' or '<layer>.bias'")
            prefix, _, leaf = key.rpartition(".")
            if leaf not in ("weight", "bias"):
                raise UnsupportedModel(f"state dict entry {key!r}: only Linear weights and biases are supported")
            groups.setdefault(prefix, {})[leaf] = val
        if not groups:
            raise InvalidNetwork("empty state dict")
        for k, (prefix, g) in enumerate(groups.items()):
            if "weight" not in g:
                raise InvalidNetwork(f"state dict layer {prefix!r} has a bias but no weight")
            w, kw = tensor(g["weight"], f"{prefix}.weight")
            if not isinstance(w, tuple) or not w or not isinstance(w[0], tuple):
                raise InvalidNetwork(f"{prefix}.weight is not a matrix")
            bias = None
            if "bias" in g:
                bias, kb = tensor(g["bias"], f"{prefix}.bias")
                if not isinstance(bias, tuple) or (bias and isinstance(bias[0], tuple)):
                    raise InvalidNetwork(f"{prefix}.bias is not a vector")
                kinds.add(kb)
            kinds.add(kw)
            if k:
                b.relu(f"state dict layer {prefix!r}")
            b.affine(w, bias, f"state dict layer {prefix!r}")
        return ImportedModel(b.finish(), "torch-state-dict", _dtype_label(kinds))
    nn = torch.nn
    if not isinstance(model, nn.Sequential):
        raise UnsupportedModel(f"expected torch.nn.Sequential or a state dict, got {type(model).__name__}")
    for idx, (name, mod) in enumerate(model.named_children()):
        desc = f"module {idx} {name!r} ({type(mod).__name__})"
        if isinstance(mod, nn.Linear):
            w, kw = tensor(mod.weight, f"{name}.weight")
            kinds.add(kw)
            bias = None
            if mod.bias is not None:
                bias, kb = tensor(mod.bias, f"{name}.bias")
                kinds.add(kb)
            b.affine(w, bias, desc)
        elif isinstance(mod, nn.ReLU):
            b.relu(desc)
        elif isinstance(mod, (nn.Identity, nn.Flatten)):
            continue
        else:
            raise UnsupportedModel(f"{desc}: only Linear, ReLU, Flatten and Identity modules are supported")
    return ImportedModel(b.finish(), "torch", _dtype_label(kinds))


def to_torch(net: Network, *, dtype: str = "float64") -> Any:
    """An ``nn.Sequential`` of Linear/ReLU with ``net``'s weights rounded to ``dtype`` (float64 default)."""
    torch = _torch()
    if dtype not in ("float32", "float64"):
        raise InvalidArgument(f"PyTorch export dtype must be 'float32' or 'float64', got {dtype!r}")
    tdt = torch.float64 if dtype == "float64" else torch.float32
    mods = []
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        lin = torch.nn.Linear(len(w[0]), len(w), dtype=tdt)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[float(v) for v in row] for row in w], dtype=torch.float64).to(tdt))
            lin.bias.copy_(torch.tensor([float(v) for v in b], dtype=torch.float64).to(tdt))
        mods.append(lin)
        if k != net.depth:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


# ----------------------------------------------------------------------------------------------
def load_model(path: str, *, use_exact_metadata: bool = True) -> ImportedModel:
    """Load a model file by extension: ``.onnx``; ``.json`` (an nncert network, ``Network.to_json``);
    ``.npz`` (arrays ``W0, b0, W1, b1, ...`` in ``(out, in)`` layout, read with ``allow_pickle=False``)."""
    import numpy as np

    lower = str(path).lower()
    if lower.endswith(".onnx"):
        return load_onnx(path, use_exact_metadata=use_exact_metadata)
    if lower.endswith(".json"):
        raw, _ = _read_bytes(path)
        try:
            obj = json.loads(raw.decode("utf-8"), parse_float=_no_number, parse_int=_no_number,
                             parse_constant=_no_number)
            net = Network.from_json(obj, path)
        except (ValueError, UnicodeDecodeError, InvalidCertificate, RecursionError) as err:
            raise InvalidNetwork(f"{path}: not an nncert network JSON ({str(err)[:160]})") from None
        return ImportedModel(net, "nncert-json", "exact")
    if lower.endswith(".npz"):
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError, EOFError) as err:
            raise InvalidNetwork(f"cannot read {path}: {str(err)[:160]}") from None
        n = len([k for k in arrays if k.startswith("W")])
        missing = [k for i in range(n) for k in (f"W{i}", f"b{i}") if k not in arrays]
        if not n or missing or len(arrays) != 2 * n:
            raise InvalidNetwork(f"{path}: expected arrays W0, b0, ..., W{max(n - 1, 0)}, b{max(n - 1, 0)}; "
                                 f"found {sorted(arrays)}")
        m = from_numpy([arrays[f"W{i}"] for i in range(n)], [arrays[f"b{i}"] for i in range(n)])
        return ImportedModel(m.network, "npz", m.source_dtype)
    if lower.endswith((".pt", ".pth")):
        raise UnsupportedModel(f"{path}: PyTorch files are pickles and nncert never unpickles files; load the model "
                               "in Python and pass it to nncert.interop.from_torch, or export it to ONNX")
    raise UnsupportedModel(f"{path}: unknown model format; use .onnx, .json or .npz")

