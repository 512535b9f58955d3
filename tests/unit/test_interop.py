"""Exact import/export of ReLU MLPs (issue 8): ONNX, NumPy, PyTorch (optional), bad input."""

import warnings
from fractions import Fraction

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from nncert.core import Network
from nncert.data import Dataset, from_arrays, load_bundled
from nncert.errors import InvalidArgument, InvalidNetwork, NncertError, UnsupportedModel
from nncert.interop import (
    RoundingWarning,
    float_error_bound,
    from_numpy,
    load_model,
    load_onnx,
    onnx_bytes,
    rounded,
    run_onnx,
    save_onnx,
)
from nncert.verify.exact import evaluate_many
from nncert.verify.smt import z3_outputs

ABS = Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])  # |x0 - x1|


def ratio(v: float) -> Fraction:
    """Exact value of a float by an independent route (float.as_integer_ratio)."""
    n, d = float(v).as_integer_ratio()
    return Fraction(n, d)


def _graph_model(nodes, inits, d_in, d_out, elem=TensorProto.FLOAT, in_shape=None, opset=13):
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", elem, in_shape or ["N", d_in])],
                          [helper.make_tensor_value_info("y", elem, ["N", d_out])], initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]).SerializeToString()


# ---------------------------------------------------------------------------- import
def test_numpy_float32_weights_are_read_exactly_and_dtype_recorded():
    w0 = np.array([[0.1, -0.3], [2.5, 1e-3]], dtype=np.float32)
    b0 = np.array([0.7, -0.2], dtype=np.float32)
    w1 = np.array([[1.1, -1.9]], dtype=np.float32)
    b1 = np.array([0.05], dtype=np.float32)
    m = from_numpy([w0, w1], [b0, b1])
    assert m.source_dtype == "float32" and m.source_format == "numpy"
    assert m.network.weights[0][0][0] == ratio(np.float32(0.1)) != Fraction(1, 10)
    assert m.network.biases[1][0] == ratio(np.float32(0.05))
    # the exact network at a point, computed independently by z3 from the float32 values
    x = [Fraction(1, 3), Fraction(-2)]
    ref = Network.from_rows([[[ratio(v) for v in r] for r in w0], [[ratio(v) for v in r] for r in w1]],
                            [[ratio(v) for v in b0], [ratio(v) for v in b1]])
    assert list(m.network(x)) == z3_outputs(ref, x)


def test_numpy_in_out_layout_and_mixed_dtypes():
    m = from_numpy([np.array([[1.0], [2.0]], dtype=np.float64), np.array([[3]], dtype=np.int64)],
                   [np.zeros(1, dtype=np.float32), np.zeros(1, dtype=np.float64)], layout="in_out")
    assert m.network.weights[0] == ((Fraction(1), Fraction(2)),)
    assert m.source_dtype == "mixed:float32,float64,int64"


def test_onnx_matmul_add_relu_flatten_chain_float32():
    W0 = np.array([[0.5, -1.0, 0.25], [0.1, 2.0, -0.75]], dtype=np.float32)  # (in=2, out=3): x @ W
    b0 = np.array([0.3, 0.0, -0.1], dtype=np.float32)
    W1 = np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], name="flat", axis=1),
        helper.make_node("MatMul", ["f", "W0"], ["m0"], name="mm0"),
        helper.make_node("Add", ["m0", "b0"], ["a0"], name="add0"),
        helper.make_node("Relu", ["a0"], ["h0"], name="relu0"),
        helper.make_node("MatMul", ["h0", "W1"], ["y"], name="mm1"),
    ]
    raw = _graph_model(nodes, [numpy_helper.from_array(W0, "W0"), numpy_helper.from_array(b0, "b0"),
                               numpy_helper.from_array(W1, "W1")], 2, 1, in_shape=["N", 1, 2])
    m = load_onnx(raw)
    assert m.source_dtype == "float32" and m.opset == 13 and m.exact_from == "tensors"
    expect = Network.from_rows([[[ratio(W0[i, j]) for i in range(2)] for j in range(3)],
                                [[ratio(W1[j, 0]) for j in range(3)]]],
                               [[ratio(v) for v in b0], [0]])
    assert m.network == expect
    X = np.array([[0.25, -0.5], [1.5, 0.125]], dtype=np.float32)
    ort = run_onnx(raw, X.reshape(2, 1, 2))
    exact = evaluate_many(m.network, [tuple(ratio(v) for v in row) for row in X])
    assert np.allclose(ort[:, 0], [float(e[0]) for e in exact], rtol=1e-6, atol=1e-6)


def test_onnx_gemm_attributes_compose_exactly():
    B = np.array([[1.0, 2.0], [3.0, -4.0]])  # transB=0: y = alpha x @ B + beta c
    c = np.array([0.5, -0.5])
    node = helper.make_node("Gemm", ["x", "B", "c"], ["y"], name="g0", alpha=0.5, beta=2.0)
    raw = _graph_model([node], [numpy_helper.from_array(B, "B"), numpy_helper.from_array(c, "c")], 2, 2,
                       elem=TensorProto.DOUBLE)
    net = load_onnx(raw).network
    assert net.weights == (((Fraction(1, 2), Fraction(3, 2)), (Fraction(1), Fraction(-2))),)
    assert net.biases == ((Fraction(1), Fraction(-1)),)


def test_unsupported_op_names_op_and_node():
    nodes = [helper.make_node("MatMul", ["x", "W"], ["m"], name="mm"),
             helper.make_node("Sigmoid", ["m"], ["y"], name="squash")]
    raw = _graph_model(nodes, [numpy_helper.from_array(np.eye(2, dtype=np.float32), "W")], 2, 2)
    with pytest.raises(UnsupportedModel, match=r"'squash'.*Sigmoid"):
        load_onnx(raw)


def test_non_chain_graph_is_refused():
    nodes = [helper.make_node("MatMul", ["x", "W"], ["m"], name="mm"),
             helper.make_node("Add", ["m", "x"], ["y"], name="skip")]
    raw = _graph_model(nodes, [numpy_helper.from_array(np.eye(2, dtype=np.float32), "W")], 2, 2)
    with pytest.raises(UnsupportedModel, match="skip"):
        load_onnx(raw)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_weight_is_refused_with_its_place(bad):
    W = np.eye(2, dtype=np.float32)
    W[1, 0] = bad
    raw = _graph_model([helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")],
                       [numpy_helper.from_array(W, "W")], 2, 2)
    with pytest.raises(InvalidNetwork, match=r"'W'.*\[0, 1\].*NaN/inf"):
        load_onnx(raw)


def test_shape_mismatch_between_layers():
    nodes = [helper.make_node("MatMul", ["x", "W0"], ["m"], name="mm0"),
             helper.make_node("Relu", ["m"], ["h"], name="r"),
             helper.make_node("MatMul", ["h", "W1"], ["y"], name="mm1")]
    inits = [numpy_helper.from_array(np.ones((2, 3), np.float32), "W0"),
             numpy_helper.from_array(np.ones((4, 1), np.float32), "W1")]
    with pytest.raises(NncertError, match="mm1"):
        load_onnx(_graph_model(nodes, inits, 2, 1))
    with pytest.raises(InvalidNetwork, match=r"biases\[1\] has shape"):
        from_numpy([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros((1, 1))])
    with pytest.raises(InvalidNetwork, match="layer 1"):
        from_numpy([np.ones((3, 2)), np.ones((1, 4))], [np.zeros(3), np.zeros(1)])


def test_corrupt_and_truncated_files(tmp_path):
    raw = onnx_bytes(ABS)
    for n in range(len(raw)):  # every prefix: a specific error, never a silent partial model
        with pytest.raises(InvalidNetwork):
            load_onnx(raw[:n])
    with pytest.raises(InvalidNetwork, match="corrupt"):
        load_onnx(b"\xff\xfe garbage \x00" * 10)
    with pytest.raises(InvalidNetwork, match="cannot read"):
        load_onnx(tmp_path / "missing.onnx")
    with pytest.raises(UnsupportedModel, match="never unpickles"):
        load_model(str(tmp_path / "m.pt"))


def test_tampered_exact_metadata_is_detected():
    model = onnx.load_model_from_string(onnx_bytes(ABS))
    for p in model.metadata_props:
        if p.key == "nncert.exact_network":
            p.value = p.value.replace('"-1"', '"-2"', 1)
    with pytest.raises(InvalidNetwork, match="disagrees"):
        load_onnx(model.SerializeToString())
    # the floats alone are still readable on request
    assert load_onnx(model.SerializeToString(), use_exact_metadata=False).network == ABS


# ---------------------------------------------------------------------------- export / round trip
def test_float64_roundtrip_of_a_non_dyadic_network():
    net = Network.from_rows([[["1/3", "-1/10"], [-1, "2/7"]], [["5/3", 1]]], [["1/5", 0], ["-1/9"]])
    raw = onnx_bytes(net)
    back = load_onnx(raw)
    assert back.network == net and back.exact_from == "nncert metadata" and back.opset == 13
    floats = load_onnx(raw, use_exact_metadata=False).network
    assert floats.weights[0][0][0] == ratio(1 / 3) and floats.biases[1][0] == ratio(-1 / 9)
    pts = [(Fraction(1, 4), Fraction(-3, 8)), (Fraction(2), Fraction(5))]  # dyadic: exact in float64
    ort = run_onnx(raw, [[float(v) for v in p] for p in pts])
    for o, p in zip(ort[:, 0], pts):
        assert abs(ratio(o) - net(p)[0]) <= Fraction(1, 10**12)
        assert abs(ratio(o) - net(p)[0]) <= float_error_bound(net, p)


def test_dyadic_network_exports_bit_exactly():
    rng = np.random.default_rng(3)
    ws = [rng.integers(-8, 9, size=(5, 3)), rng.integers(-8, 9, size=(2, 5))]
    bs = [rng.integers(-8, 9, size=5), rng.integers(-8, 9, size=2)]
    net = Network.from_rows([[[Fraction(int(v), 4) for v in r] for r in w] for w in ws],
                            [[Fraction(int(v), 2) for v in b] for b in bs])
    raw = onnx_bytes(net, embed_exact=False)
    assert load_onnx(raw).network == net
    pts = [tuple(Fraction(int(v), 8) for v in rng.integers(-16, 17, size=3)) for _ in range(20)]
    ort = run_onnx(raw, [[float(v) for v in p] for p in pts])
    for orow, p in zip(ort.tolist(), pts):
        assert [ratio(v) for v in orow] == list(net(p))  # small dyadics: float64 arithmetic is exact


def test_float32_export_warns_when_outputs_change(tmp_path):
    net = Network.from_rows([[["1/3", 1]], [[3]]], [[0], ["1/7"]])
    pts = [(Fraction(1), Fraction(2)), (Fraction(3), Fraction(-1))]
    with pytest.warns(RoundingWarning, match=r"changes the output at 2 of 2 points"):
        res = save_onnx(net, tmp_path / "n32.onnx", dtype="float32", data=pts)
    assert res.dtype == "float32" and res.changed_points == 2 and not res.weights_exact
    assert load_onnx(tmp_path / "n32.onnx").source_dtype == "float32"
    small = Network.from_rows([[["1/2", 1]], [[2]]], [[0], ["1/4"]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = save_onnx(small, tmp_path / "s32.onnx", dtype="float32", data=pts)
    assert res.changed_points == 0 and res.max_output_change == 0


def test_export_rejects_bad_dtype_and_opset():
    with pytest.raises(InvalidArgument):
        onnx_bytes(ABS, dtype="float16")
    with pytest.raises(InvalidArgument):
        onnx_bytes(ABS, opset=7)


def _subset(ds: Dataset, n: int) -> Dataset:
    return Dataset(ds.points[:n], ds.labels[:n], ds.classes, ds.label_kind, ds.source)


def _memorization_cases():
    rng = np.random.default_rng(11)
    digits = load_bundled("digits")
    return [
        ("iris", load_bundled("iris")),
        ("digits60", _subset(digits, 60)),
        ("digits-0-vs-1", digits.relabel([["0"], ["1"]], ["0", "1"])),
        ("random", from_arrays(rng.normal(size=(40, 3)), rng.integers(0, 3, 40).tolist())),
        ("random-2class", from_arrays(rng.uniform(-1, 1, size=(30, 2)), rng.integers(0, 2, 30).tolist())),
    ]


@pytest.mark.parametrize("name,data", _memorization_cases(), ids=[c[0] for c in _memorization_cases()])
def test_memorization_networks_roundtrip_through_onnxruntime(name, data, tmp_path):
    from nncert.constructions.memorize import peel

    net = peel(data).network
    path = tmp_path / f"{name}.onnx"
    save_onnx(net, path)
    back = load_onnx(path)
    assert back.network == net  # exact network back
    X = np.array([[float(v) for v in p] for p in data.points])
    ort = run_onnx(path, X)[:, 0]
    exact = evaluate_many(net, data.points)
    # the classification survives: each output is nearer its class index than any other
    for o, e, lab in zip(ort, exact, data.labels):
        assert e[0] == lab
        assert abs(o - lab) < 0.5
    # agreement within the rigorous float64 error bound (checked on a few points: the bound is exact work)
    for i in range(0, data.n, max(1, data.n // 5)):
        assert abs(ratio(ort[i]) - exact[i][0]) <= float_error_bound(net, data.points[i])


# ---------------------------------------------------------------------------- PyTorch (optional)
def test_missing_torch_gives_a_clear_error(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_torch(name, *a, **k):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("no torch here")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    from nncert.interop import from_torch, to_torch

    with pytest.raises(UnsupportedModel, match="PyTorch is not installed"):
        to_torch(ABS)
    with pytest.raises(UnsupportedModel, match="PyTorch is not installed"):
        from_torch({})


def test_torch_roundtrip_sequential_and_state_dict():
    torch = pytest.importorskip("torch")
    from nncert.interop import from_torch, to_torch

    net = Network.from_rows([[["1/3", "-1/10"], [-1, "2/7"]], [["5/3", 1]]], [["1/5", 0], ["-1/9"]])
    mod = to_torch(net)
    assert from_torch(mod).network == rounded(net)
    sd = from_torch(mod.state_dict())
    assert sd.network == rounded(net) and sd.source_dtype == "float64"
    x = torch.tensor([[0.25, -0.375]], dtype=torch.float64)
    p = (Fraction(1, 4), Fraction(-3, 8))
    assert abs(ratio(mod(x)[0, 0].item()) - net(p)[0]) <= float_error_bound(net, p) < Fraction(1, 10**12)
    m32 = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    imp = from_torch(m32)
    assert imp.source_dtype == "float32"
    assert imp.network.weights[0][1][0] == ratio(m32[1].weight[1, 0].item())
    with pytest.raises(UnsupportedModel, match="Tanh"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh()))
