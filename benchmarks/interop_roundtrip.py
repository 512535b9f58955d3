"""ONNX round trips of memorization networks and random float32-weight nets (issue 8, acceptance 2 evidence).

Prints, per network: exact re-import, max |onnxruntime - exact|, max |onnxruntime - exact value of the
float64-rounded network at the float64-rounded input|, and how many onnxruntime outputs keep the class.
Run: ``python benchmarks/interop_roundtrip.py``.
"""
import numpy as np
from fractions import Fraction
from nncert.data import load_bundled, from_arrays, Dataset
from nncert.constructions.memorize import peel
from nncert.interop import from_numpy, load_onnx, onnx_bytes, rounded, run_onnx
from nncert.verify.exact import evaluate_many
dg = load_bundled("digits")
rng = np.random.default_rng(0)
cases = [("iris", load_bundled("iris")), ("digits[:200]", Dataset(dg.points[:200], dg.labels[:200], dg.classes, dg.label_kind, dg.source)),
         ("digits", dg), ("random N=100 d=3 M=4", from_arrays(rng.normal(size=(100,3)), rng.integers(0,4,100).tolist()))]
print("case | N | depth | reimport exact | max|ort - exact| | max|ort - exact(float64 net, float64 x)| | ort decisions right")
for name, ds in cases:
    net = peel(ds).network
    b = onnx_bytes(net)
    X = np.array([[float(v) for v in p] for p in ds.points])
    out = run_onnx(b, X)[:, 0]
    ex = evaluate_many(net, ds.points)
    exr = evaluate_many(rounded(net), [tuple(Fraction(v) for v in r) for r in X.tolist()])
    e1 = max(abs(Fraction(float(o)) - e[0]) for o, e in zip(out.tolist(), ex))
    e2 = max(abs(Fraction(float(o)) - e[0]) for o, e in zip(out.tolist(), exr))
    ok = sum(abs(o - lab) < 0.5 for o, lab in zip(out, ds.labels))
    print(f"{name} | {ds.n} | {net.depth} | {load_onnx(b).network == net} | {float(e1):.3g} | {float(e2):.3g} | {ok}/{ds.n}")


rng = np.random.default_rng(1)
print("net | reimport exact | max|ort - exact| over 200 float64 points")
for d, widths, o in ((4,[8,8],2),(4,[16,16,16],3),(3,[16]*6,2),(8,[16,8,4],1)):
    dims=[d]+widths+[o]
    ws=[(rng.normal(size=(b,a))/np.sqrt(a)).astype(np.float32) for a,b in zip(dims,dims[1:])]
    bs=[(0.1*rng.normal(size=b)).astype(np.float32) for b in dims[1:]]
    net = from_numpy(ws, bs).network
    b = onnx_bytes(net)
    X = rng.uniform(-1,1,size=(200,d))
    out = run_onnx(b, X)
    ex = evaluate_many(net, [tuple(Fraction(v) for v in r) for r in X.tolist()])
    err = max(abs(Fraction(float(v)) - e) for orow, erow in zip(out.tolist(), ex) for v, e in zip(orow, erow))
    print(f"f32 d={d} widths {widths} out={o} | {load_onnx(b).network == net} | {float(err):.3g}")
