"""Unit tests for exact numbers, Network, Verdict and the Certificate envelope."""

from fractions import Fraction

import pytest

from nncert.core import Certificate, Network, Status, Verdict, fmt, parse_decimal, parse_exact, to_fraction
from nncert.errors import InvalidArgument, InvalidCertificate, InvalidNetwork


@pytest.mark.parametrize("text,value", [("0", 0), ("-3", -3), ("7/2", Fraction(7, 2)), ("-1/3", Fraction(-1, 3))])
def test_parse_exact_roundtrip(text, value):
    assert parse_exact(text) == value
    assert fmt(parse_exact(text)) == text


@pytest.mark.parametrize("bad", ["2/4", "3/1", "+1", "-0", " 1", "1.0", "1/0", "0/5", "01", "1e3", 3, None, "x"])
def test_parse_exact_rejects_noncanonical(bad):
    with pytest.raises(InvalidCertificate):
        parse_exact(bad)


def test_parse_exact_rejects_huge_numbers():
    with pytest.raises(InvalidCertificate):
        parse_exact("9" * 5000)


@pytest.mark.parametrize("text,value", [("0.1", Fraction(1, 10)), ("1e-3", Fraction(1, 1000)), ("-.5", Fraction(-1, 2)),
                                        ("1/3", Fraction(1, 3)), ("12", 12), ("2.50E+2", 250)])
def test_parse_decimal_is_exact(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("bad", ["nan", "inf", "-Infinity", "abc", "1/0", "1e100000", "", "1,5"])
def test_parse_decimal_rejects(bad):
    with pytest.raises(InvalidArgument):
        parse_decimal(bad)


def test_to_fraction_rejects_float_with_hint():
    with pytest.raises(InvalidArgument, match=r'pass "0.1" \(exactly 1/10\)'):
        to_fraction(0.1)


def test_to_fraction_accepts_sympy_and_numpy():
    import numpy as np
    import sympy

    assert to_fraction(sympy.Rational(3, 7)) == Fraction(3, 7)
    assert to_fraction(np.int64(5)) == 5
    with pytest.raises(InvalidArgument):
        to_fraction(np.float64(0.5))
    with pytest.raises(InvalidArgument):
        to_fraction(True)


def test_network_properties_and_exact_eval():
    net = Network.from_rows([[[1, -1], [-1, 1]], [[1, 1]]], [[0, 0], [0]])
    assert net.input_dim == 2 and net.output_dim == 1
    assert net.widths == (2,) and net.width == 2 and net.depth == 1 and net.num_affine_maps == 2
    assert net.num_parameters == 4 + 2 + 2 + 1
    assert net([Fraction(1, 3), Fraction(1)]) == (Fraction(2, 3),)
    assert net([1, Fraction(1, 3)]) == (Fraction(2, 3),)


@pytest.mark.parametrize(
    "weights,biases",
    [
        ([[[1, 2]], [[1], [2]]], [[0], [0, 0]]),  # layer 1 expects 1 column, has 1: ok shape? (rows 2, cols 1) fine
    ],
)
def test_network_shapes_that_fit(weights, biases):
    assert Network.from_rows(weights, biases).output_dim == 2


@pytest.mark.parametrize(
    "weights,biases,match",
    [
        ([[[1, 2]]], [[0, 0]], "1 rows but 2 biases"),
        ([[[1, 2]], [[1, 1]]], [[0], [0]], "2 columns but layer 0 has 1 outputs"),
        ([[[1, 2], [1]]], [[0, 0]], "row 1 has 1 entries"),
        ([], [], "0 weight matrices"),
        ([[[0.5]]], [[0]], "float"),
        ([[["abc"]]], [[0]], "not a number"),
    ],
)
def test_network_rejects_bad_shapes(weights, biases, match):
    with pytest.raises(InvalidNetwork, match=match):
        Network.from_rows(weights, biases)


def test_network_rejects_non_fraction_direct():
    with pytest.raises(InvalidNetwork, match="not a Fraction"):
        Network(((( 1,),),), ((Fraction(0),),))  # noqa: E201


def test_network_json_roundtrip_and_float_eval():
    net = Network.from_rows([[["1/3", -2], [1, 1]], [["5/7", 1]]], [[1, "-1/2"], [0]])
    assert Network.from_json(net.to_json()) == net
    import numpy as np

    x = [Fraction(1, 2), Fraction(-3, 4)]
    assert abs(net.evaluate_float(np.array([[0.5, -0.75]]))[0, 0] - float(net(x)[0])) < 1e-12


def test_network_to_sympy_agrees_with_exact():
    import sympy

    net = Network.from_rows([[[2, -1], [1, 3]], [[1, -1]]], [[0, -1], ["1/2"]])
    expr = net.to_sympy()[0]
    x1, x2 = sympy.symbols("x1 x2")
    for p in [(0, 0), (1, -1), (Fraction(1, 3), 2)]:
        val = expr.subs({x1: sympy.Rational(p[0]), x2: sympy.Rational(p[1])})
        assert sympy.Rational(val) == sympy.Rational(str(net(p)[0]))


def test_verdict_combine_is_three_valued():
    h = Verdict(Status.HOLDS, "a", evidence="ok")
    u = Verdict(Status.UNKNOWN, "b", reason="solver timeout")
    r = Verdict(Status.REFUTED, "c", reason="bad", counterexample={"x": "1"})
    assert Verdict.combine("x", [h, h]).status is Status.HOLDS
    assert Verdict.combine("x", [h, u]).status is Status.UNKNOWN
    assert Verdict.combine("x", [u, r]).status is Status.REFUTED
    assert Verdict.combine("x", []).status is Status.UNKNOWN
    with pytest.raises(InvalidArgument):
        Verdict(Status.HOLDS, "x", counterexample={"a": "1"})


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        "[]",
        '{"schema": 1}',
        "not json",
        "[" * 100000,
    ],
)
def test_certificate_loads_rejects_malformed(text):
    with pytest.raises(InvalidCertificate):
        Certificate.loads(text)


def test_certificate_rejects_json_numbers():
    cert = Certificate("x", {"a": "1"}, {})
    text = cert.dumps().replace('"a": "1"', '"a": 1')
    with pytest.raises(InvalidCertificate, match="JSON number"):
        Certificate.loads(text)
    assert Certificate.loads(cert.dumps()).params == {"a": "1"}
