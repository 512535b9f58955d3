"""Width d+1 L^p approximation (issue 4): parser, construction, checker, claims, CLI, bad input.

Independent paths used here: the naive exact evaluator ``Network.__call__`` (not the fast evaluator the
checker uses), a midpoint-rule error with exact network values, hand-computed integrals, and tampering.
"""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest
import sympy

from nncert.cli.main import main
from nncert.constructions.approximate import approximate, parse_domain, parse_p
from nncert.core import Certificate, Network
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs import check_certificate, registry
from nncert.proofs.claims.p1_approximation import certify_lp
from nncert.verify.expr import parse, symbols, to_text
from nncert.verify.lp_error import (
    check_cells,
    evaluate_fast,
    exact_error_1d,
    exact_error_2d,
    exact_error_2d_odd,
    numeric_error,
    output_range,
    upper_root,
)

BUMP = "(1 - 2*abs(x1 - 1/2) - 2*abs(x2 - 1/2) + abs(1 - 2*abs(x1 - 1/2) - 2*abs(x2 - 1/2)))/2"


# -- parser ------------------------------------------------------------------------------------
def test_parser_builds_the_expected_sympy_objects():
    x1, x2 = symbols(2)
    assert parse("sin(pi*x1)", 1) == sympy.sin(sympy.pi * symbols(1)[0])
    assert parse("2^-1*x1 - x2^2", 2) == x1 / 2 - x2 ** 2
    assert parse("-x1^2", 1) == -symbols(1)[0] ** 2  # power binds tighter than unary minus
    assert parse("0.1", 1) == sympy.Rational(1, 10)
    assert parse("sqrt(x1) + abs(x2) + exp(x1) + log(2) + cos(x2)", 2) == (
        sympy.sqrt(x1) + sympy.Abs(x2) + sympy.exp(x1) + sympy.log(2) + sympy.cos(x2))


@pytest.mark.parametrize("text, fragment", [
    ("tan(x1)", "unknown function 'tan'"),
    ("y + 1", "unknown symbol 'y'"),
    ("x3", "dimension d=2"),
    ("__import__('os').system('true')", "unexpected character"),
    ("x1 +", "unexpected end"),
    ("2^100000", "too large"),
    ("x1^x2", "constant rational"),
    ("(" * 100 + "x1" + ")" * 100, "nested more than"),
    ("1/0", "division by zero"),
    ("", "empty"),
])
def test_parser_rejects_with_a_named_reason(text, fragment):
    with pytest.raises(InvalidArgument, match=fragment.replace("(", r"\(").replace("^", r"\^")):
        parse(text, 2)


@pytest.mark.parametrize("text", ["sin(pi*x1)*x2 - 3/7", BUMP, "exp(-x1^2/2)/sqrt(2*pi)", "log(1 + x1)^3"])
def test_to_text_round_trips(text):
    e = parse(text, 2)
    assert parse(to_text(e), 2) == e


# -- bad input to approximate ------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, fragment", [
    (dict(eps=0), "eps = 0 must be > 0"),
    (dict(eps="-1/10"), "must be > 0"),
    (dict(p="1/2"), "p = 1/2 < 1 is not covered"),
    (dict(p="inf"), "p = inf is not covered"),
    (dict(p=float("inf")), "p = inf is not covered"),
    (dict(domain="0:inf"), "bounded domain"),
    (dict(domain="0:1,0:1,0:1,0:1,0:1"), "dimension 5"),
    (dict(domain="1:0"), "lo=1 >= hi=0"),
    (dict(f="x2"), "dimension d=1"),
    (dict(f="foo(x1)"), "unknown function 'foo'"),
    (dict(f=sympy.Symbol("z")), "unknown symbol 'z'"),
    (dict(f=lambda x: x), "declare its Lipschitz constant"),
    (dict(m=2), "m=2 but f has 1 output"),
])
def test_bad_input_raises_specific_errors(kwargs, fragment):
    args = dict(f="x1", domain="0:1", p=2, eps="1/10")
    args.update(kwargs)
    f = args.pop("f")
    with pytest.raises(InvalidArgument, match=fragment.replace("(", r"\(")):
        approximate(f, args.pop("domain"), args.pop("p"), args.pop("eps"), **args)


@pytest.mark.parametrize("argv, fragment", [
    (["x1", "--domain", "0:1", "--eps", "0"], "eps = 0"),
    (["x1", "--domain", "0:1", "--eps", "1/10", "--p", "inf"], "p = inf is not covered"),
    (["x1", "--domain", "0:1", "--eps", "1/10", "--p", "0.5"], "p = 1/2 < 1"),
    (["x1", "--domain", "0:oo", "--eps", "1/10"], "bounded domain"),
    (["x1*x2", "--domain", "0:1", "--eps", "1/10"], "dimension d=1"),
    (["sinh(x1)", "--domain", "0:1", "--eps", "1/10"], "unknown function 'sinh'"),
])
def test_cli_bad_input_exits_2_with_one_line(argv, fragment, capsys, tmp_path):
    assert main(["approximate", *argv, "--out", str(tmp_path / "c.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and fragment in err and "Traceback" not in err and err.count("\n") == 1


def test_parse_p_and_domain_exact():
    assert parse_p("1.5") == F(3, 2)
    assert parse_domain([("-0.5", "0.5")]) == ((F(-1, 2), F(1, 2)),)


# -- construction, checked by independent paths -------------------------------------------------
def _centre(dom, n, code):
    d = len(dom)
    idx = [(code // n ** j) % n for j in range(d)]
    return tuple(lo + (hi - lo) * F(2 * i + 1, 2 * n) for (lo, hi), i in zip(dom, idx))


def _midpoint_error(net, expr, dom, p, k):
    """Midpoint rule on k^d points with the naive exact evaluator (independent of the fast path)."""
    import itertools

    d = len(dom)
    syms = symbols(d)
    total = 0.0
    vol = 1.0
    for lo, hi in dom:
        vol *= float(hi - lo)
    for idx in itertools.product(range(k), repeat=d):
        x = tuple(lo + (hi - lo) * F(2 * i + 1, 2 * k) for (lo, hi), i in zip(dom, idx))
        y = float(net(x)[0])
        fx = float(expr.xreplace({s: sympy.Rational(v.numerator, v.denominator) for s, v in zip(syms, x)}).evalf(30))
        total += abs(fx - y) ** float(p)
    return (total * vol / k ** d) ** (1 / float(p))


CASES_1D = [("abs(x1 - 1/2)", "0:1"), ("sin(pi*x1)", "0:1")]


@pytest.mark.parametrize("f, dom", CASES_1D)
@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("eps", ["1/5", "1/10", "1/20"])
def test_acceptance_1_one_dimensional(f, dom, p, eps):
    res = approximate(f, dom, p, eps)
    net = res.network
    assert net.width <= 2 and all(w <= 2 for w in net.widths)
    assert res.bound <= F(eps)
    assert res.depth <= res.depth_formula
    # the network is the target at every cell centre (naive exact evaluator)
    for code in range(0, res.n, max(1, res.n // 7)):
        assert net(_centre(res.domain, res.n, code)) == res.targets[code]
    # a midpoint-rule error with exact network values stays below the certified bound
    assert _midpoint_error(net, parse(f, 1), res.domain, p, 200) <= float(res.bound)


@pytest.mark.parametrize("f", ["x1*x2", BUMP])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_acceptance_1_two_dimensional_eps_one_fifth(f, p):
    res = approximate(f, "0:1,0:1", p, "1/5")
    assert res.network.width <= 3 and res.bound <= F(1, 5)
    assert _midpoint_error(res.network, parse(f, 2), res.domain, p, 16) <= float(res.bound)


def test_exact_error_1d_matches_a_hand_integral():
    # NN = 1/4 constant, f = x on [0, 1], p = 2: int (x - 1/4)^2 = 1/3 - 1/4 + 1/16 = 7/48
    net = Network.from_rows([[[0]], [[0]]], [[0], [F(1, 4)]])
    assert exact_error_1d(net, parse("x1", 1), [(F(0), F(1))], F(2)) == F(7, 48)
    # p = 1 with a sign change at 1/4: int |x - 1/4| = 1/32 + 9/32
    assert exact_error_1d(net, parse("x1", 1), [(F(0), F(1))], F(1)) == F(10, 32)
    # abs target: int_0^1 ||x - 1/2| - 1/4| dx = 1/8
    assert exact_error_1d(net, parse("abs(x1 - 1/2)", 1), [(F(0), F(1))], F(1)) == F(1, 8)


def test_exact_error_2d_matches_a_hand_integral():
    net = Network.from_rows([[[0, 0]], [[0]]], [[0], [0]])  # NN = 0
    box = [(F(0), F(1)), (F(0), F(1))]
    assert exact_error_2d(net, parse("x1*x2", 2), box, F(2)) == F(1, 9)
    assert exact_error_2d(net, parse("abs(x1 - x2)", 2), box, F(1)) == F(1, 3)
    assert exact_error_2d(net, parse("x1*x2", 2), box, F(1)) is None or True  # odd p, nonlinear: may be None


def test_exact_error_agrees_with_bound_and_numeric_on_a_2d_case():
    res = approximate("x1*x2", "0:1,0:1", 2, "1/2")
    assert res.n >= 2
    ex = exact_error_2d(res.network, parse("x1*x2", 2), res.domain, F(2), max_regions=20000)
    assert ex is not None
    err = float(ex) ** 0.5
    assert err <= float(res.bound)
    assert abs(err - _midpoint_error(res.network, parse("x1*x2", 2), res.domain, 2, 60)) < 0.02


def test_fast_evaluator_equals_naive_on_approximation_networks():
    res = approximate("x1*x2", "0:1,0:1", 1, "1/5")
    pts = [(F(i, 13), F(j, 7)) for i in range(14) for j in range(8)]
    assert evaluate_fast(res.network, pts) == [res.network(p) for p in pts]


def test_upper_root_is_an_upper_bound():
    for v, a, b in [(F(2), 1, 2), (F(10, 3), 2, 3), (F(7), 3, 1), (F(1, 1000), 1, 5)]:
        r = upper_root(v, a, b)
        assert r ** b >= v ** a and float(r) - float(v) ** (a / b) < 1e-12


def test_output_range_is_sound_on_random_points():
    res = approximate(("x1*x2", "abs(x1 - x2)"), "0:1,0:1", 1, "1/5")
    rng = output_range(res.network, res.domain)
    import random

    r = random.Random(3)
    for _ in range(60):
        x = (F(r.randrange(1000), 999), F(r.randrange(1000), 999))
        for (lo, hi), v in zip(rng, res.network(x)):
            assert lo <= v <= hi


def test_check_cells_refutes_a_wrong_target_and_a_wrong_network():
    res = approximate("x1", "0:1", 2, "1/20")
    assert res.n >= 3
    bad = list(res.targets)
    bad[1] = (bad[1][0] + 1,)
    v = check_cells(res.network, res.domain, res.n, res.eta, bad)
    assert v.status.value == "REFUTED" and v.counterexample["cell"] == "1"
    # a smaller eta makes the good boxes reach into the transition slabs: not constant there
    v2 = check_cells(res.network, res.domain, res.n, res.eta / 4, res.targets)
    assert v2.status.value in ("REFUTED", "UNKNOWN")


# -- claims and certificates -------------------------------------------------------------------
IDS = ["P1.approximation.lp_width_d_plus_1", "P1.approximation.sobolev_depth", "P1.approximation.vector_valued"]


@pytest.fixture(scope="module")
def quick_certs():
    return {cid: registry()[cid].quick() for cid in IDS}


@pytest.mark.parametrize("cid", IDS)
def test_quick_certificates_check(quick_certs, cid):
    cert = Certificate.loads(quick_certs[cid].dumps())
    v = check_certificate(cert)
    assert v.holds, v.summary()
    assert any("regularity" in a for a in v.admitted)


def _mutated(cert, path, value):
    obj = json.loads(cert.dumps())
    o = obj
    for k in path[:-1]:
        o = o[k]
    o[path[-1]] = value
    return Certificate.from_json(obj)


@pytest.mark.parametrize("cid", IDS)
def test_tampering_is_refuted(quick_certs, cid):
    cert = quick_certs[cid]
    b = F(cert.params["bound"])
    for path, value, part in [
        (("params", "bound"), str(b / 2) if (b / 2).denominator != 1 else f"{b.numerator}/{2 * b.denominator}",
         "certified bound"),
        (("params", "eps"), "1/1000", "bound <= eps"),
        (("params", "depth"), str(int(cert.params["depth"]) - 1), "stated values"),
        (("witness", "regularity", next(iter(cert.witness["regularity"]))), "0", None),
    ]:
        if path[-1] in ("f_lo", "f_hi"):
            continue
        v = check_certificate(_mutated(cert, path, value))
        assert v.status.value == "REFUTED", (path, v.summary())
        if part:
            assert any(p.claim == part and p.status.value == "REFUTED" for p in v.parts), v.summary()
    # a target changed: the good-box check (and the targets-vs-f check) refute it
    obj = json.loads(cert.dumps())
    t = F(obj["witness"]["targets"][0][0]) + F(1, 3)
    obj["witness"]["targets"][0][0] = f"{t.numerator}/{t.denominator}" if t.denominator != 1 else str(t)
    v = check_certificate(Certificate.from_json(obj))
    assert v.status.value == "REFUTED"


def test_malformed_certificates_raise(quick_certs):
    cert = quick_certs[IDS[0]]
    for path, value in [(("params", "p"), "1/2"), (("witness", "domain"), [["1", "0"]]), (("params", "route"), "magic"),
                        (("witness", "f"), ["tan(x1)"]), (("witness", "targets"), [])]:
        with pytest.raises(InvalidCertificate):
            check_certificate(_mutated(cert, path, value))


def test_acceptance_3_cli_runs_and_checks(tmp_path, capsys):
    import time

    out = tmp_path / "abs.json"
    png = tmp_path / "abs.png"
    t0 = time.perf_counter()
    assert main(["approximate", "abs(x1-1/2)", "--domain", "0:1", "--p", "2", "--eps", "1/10", "--out", str(out),
                 "--plot", str(png)]) == 0
    assert time.perf_counter() - t0 <= 10
    text = capsys.readouterr().out
    assert "certified bound" in text and "conditioning: max |parameter|" in text and "max |float64 - exact|" in text
    assert png.stat().st_size > 0
    assert main(["check", str(out)]) == 0
    assert "HOLDS    P1.approximation.lp_width_d_plus_1 (overall)" in capsys.readouterr().out


def test_callable_target_with_declared_lipschitz_checks():
    import math

    res = approximate(lambda x: math.sin(3 * x), "0:1", 1, "1/4", lipschitz=3)
    assert res.bound <= F(1, 4) and res.exprs is None
    from nncert.proofs.claims.p1_approximation import certify_lp

    cert = certify_lp(lambda x: math.sin(3 * x), "0:1", 1, "1/4", lipschitz=3, numeric=False, exact=False)
    v = check_certificate(Certificate.loads(cert.dumps()))
    assert v.holds and any("callable" in a for a in v.admitted)


# -- exact error for odd p with a curved sign boundary (x1*x2) --------------------------------------
def _hand_abs_pow(c: sympy.Rational, p: int) -> sympy.Expr:
    """int over [0,1]^2 of |x y - c|^p, 0 < c < 1, by sympy on the explicit hyperbola split (independent path):
    |g|^p = g^p + 2 (-g)^p [g < 0] for odd p, and {x y < c} = {x <= c} u {x > c, y < c/x}."""
    x, y = sympy.symbols("x y", positive=True)
    g = x * y - c
    neg = sympy.integrate(sympy.integrate((-g) ** p, (y, 0, 1)), (x, 0, c)) + sympy.integrate(
        sympy.integrate((-g) ** p, (y, 0, c / x)), (x, c, 1))
    return sympy.integrate(g ** p, (x, 0, 1), (y, 0, 1)) + 2 * neg


@pytest.mark.parametrize("p", [1, 3])
def test_exact_error_2d_odd_matches_a_hand_integral(p):
    net = Network.from_rows([[[0, 0]], [[0]]], [[0], [0]])  # NN = 0
    box = [(F(0), F(1)), (F(0), F(1))]
    for c in (sympy.Rational(1, 4), sympy.Rational(2, 3)):
        r = exact_error_2d_odd(net, parse(f"x1*x2 - {c}", 2), box, p)
        want = _hand_abs_pow(c, p)
        assert sympy.simplify(sympy.expand_log(r.expr - want, force=True)) == 0
        assert r.low <= r.high and r.high - r.low < F(1, 10 ** 25)
        w = sympy.Rational(str(sympy.N(want, 60)))
        assert F(r.low) - F(1, 10 ** 40) <= F(int(w.p), int(w.q)) <= r.high + F(1, 10 ** 40)


def _refine_breaks(bs, k):
    out = [a + (b - a) * i / k for a, b in zip(bs, bs[1:]) for i in range(k)]
    return out + [bs[-1]]


@pytest.mark.parametrize("p, eps", [(1, "1/5"), (3, "1/5")])
def test_exact_odd_p_error_on_the_x1x2_network_is_below_the_bound(p, eps):
    res = approximate("x1*x2", "0:1,0:1", p, eps)
    r = exact_error_2d_odd(res.network, parse("x1*x2", 2), res.domain, p)
    assert r is not None and r.expr.has(sympy.log)       # the curved boundary really produces logs
    assert r.high <= res.bound ** p
    # independent: Gauss-Legendre with exact network values on panels refined inside cells and slabs
    bs = {F(0), F(1)}
    for i in range(1, res.n):
        bs.update((F(i, res.n) - res.eta / 2, F(i, res.n) + res.eta / 2))
    bs = _refine_breaks(sorted(bs), 2)
    num = numeric_error(res.network, [parse("x1*x2", 2)], res.domain, F(p), breaks=[bs, bs])
    assert abs(float(r.high) - num.estimate ** p) <= 2e-3 * float(r.high)


def test_certificate_records_the_odd_p_exact_error():
    cert = certify_lp("x1*x2", "0:1,0:1", 1, "1/5")
    ex = cert.checked_by["exact"]
    lo, hi = (F(v) for v in ex["error_pth_power_enclosure"])
    assert "log" in ex["error_pth_power"] and lo <= hi <= F(cert.params["bound"])
    assert check_certificate(Certificate.loads(cert.dumps())).holds
