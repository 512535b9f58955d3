"""``nncert verify-model MODEL DATA``: exact classification certificate for an imported network.

MODEL is ``.onnx`` (or ``.json`` / ``.npz``, see :func:`nncert.interop.load_model`); DATA a CSV
file or a bundled name. Exit 0: every point classified with margin > 0; 1: some point is not;
2: invalid input.
"""

from __future__ import annotations

import argparse
import csv
import time


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify-model",
        help="exact classification certificate (margin per point) for an ONNX/PyTorch/NumPy ReLU MLP",
        description="Read MODEL's float weights exactly (as dyadic rationals), evaluate it in exact arithmetic on "
        "every point of DATA, and certify that each point gets its label with margin > 0. Decision rule: argmax "
        "for several outputs; for one output 'nearest' (class = nearest label value) or, with --threshold T, "
        "class 1 iff y > T. Exit 0: all classified; 1: some point misclassified or on a boundary; 2: bad input.",
    )
    p.add_argument("model", help="model file: .onnx, .json (nncert network) or .npz (arrays W0,b0,W1,b1,... in (out,in) layout)")
    p.add_argument("data", help="CSV file (optionally .gz) or bundled name: iris, digits")
    p.add_argument("--label-column", default=None, help="label column name or index (default: last)")
    p.add_argument("--mode", choices=("argmax", "threshold", "nearest"), default=None, help="decision rule")
    p.add_argument("--threshold", default=None, help="threshold T for one-output networks (class 1 iff y > T)")
    p.add_argument("--float-weights", action="store_true",
                   help="ignore exact weights embedded by nncert and use the float tensors of the file")
    p.add_argument("--out", default=None, help="write the certificate (JSON) here")
    p.add_argument("--margins", default=None, help="write point,label,margin (exact) and margin_float to this CSV")
    p.add_argument("--no-embed", action="store_true", help="certificate stores only the data's SHA-256")
    p.add_argument("--force", action="store_true", help="allow more than 10^7 points")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nncert.core import fmt, parse_decimal
    from nncert.data import load
    from nncert.interop import load_model
    from nncert.proofs.claims.model_classification import certify

    t0 = time.perf_counter()
    threshold = parse_decimal(args.threshold, "--threshold") if args.threshold is not None else None
    model = load_model(args.model, use_exact_metadata=not args.float_weights)
    data = load(args.data, args.label_column, force=args.force)
    source = {"file": str(args.model), "format": model.source_format, "dtype": model.source_dtype,
              "opset": str(model.opset) if model.opset is not None else "none", "exact_from": model.exact_from}
    cert = certify(model.network, data, mode=args.mode, threshold=threshold, source=source, embed=not args.no_embed)
    p = cert.params
    mins = cert.params["min_margin"]
    rows = [
        ("model", model.describe()),
        ("data", f"{data.n} points, d={data.d}, {data.m} classes ({data.source})"),
        ("decision rule", p["mode"] + (f" (threshold {p['threshold']})" if p["threshold"] != "none" else "")
         + (f" (classes {p['class_range']})" if p["class_range"] != "none" else "")),
        ("classified (margin > 0)", f"{p['correct']}/{p['N']}"),
        ("min margin (exact)", _short(mins) + f" at point {p['worst_point']}"),
        ("float64 evaluation", cert.checked_by["float64"]),
        ("seconds", f"{time.perf_counter() - t0:.2f}"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    if args.margins:
        from nncert.core import parse_exact
        from nncert.verify.decision import label_value

        with open(args.margins, "w", newline="", encoding="ascii") as fh:
            wr = csv.writer(fh)
            wr.writerow(["point", "label", "margin", "margin_float"])
            for i, (lab, m) in enumerate(zip(data.labels, cert.witness["margins"])):
                wr.writerow([i, label_value(lab, data.classes, data.label_kind), m, f"{float(parse_exact(m)):.17g}"])
        print(f"margins written to {args.margins}")
    if args.out:
        cert.save(args.out)
        print(f"certificate written to {args.out}")
    ok = p["correct"] == p["N"]
    print(("HOLDS   " if ok else "REFUTED ") + f" every point classified with margin > 0 ({fmt(int(p['correct']))}/{p['N']})")
    return 0 if ok else 1


def _short(text: str) -> str:
    from nncert.core import parse_exact

    return text if len(text) <= 40 else f"{float(parse_exact(text)):.6g} ({len(text)} chars exact)"
