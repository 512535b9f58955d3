"""Property (issue 4, acceptance 2): random piecewise-linear 1-D targets with rational breakpoints, random p
and eps (kept to n <= ~8 cells: the d = 1 peel folds the transition slabs, so the exact piece count grows fast): the certified bound is <= eps, the exact L^p error (sympy/Fraction over the network's linear pieces)
is <= the bound, and the trusted checker accepts the certificate."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from nncert.constructions.approximate import approximate
from nncert.core import Certificate
from nncert.proofs import check_certificate
from nncert.verify.expr import parse
from nncert.verify.lp_error import exact_error_1d

rationals = st.builds(F, st.integers(-2, 2), st.integers(1, 4))
breaks = st.builds(F, st.integers(1, 11), st.just(12))


@st.composite
def pl_targets(draw):
    a, b = draw(rationals), draw(rationals)
    kinks = draw(st.lists(st.tuples(rationals.filter(lambda c: c != 0), breaks), min_size=1, max_size=2))
    text = f"({a.numerator}/{a.denominator}) + ({b.numerator}/{b.denominator})*x1"
    for c, t in kinks:
        text += f" + ({c.numerator}/{c.denominator})*abs(x1 - {t.numerator}/{t.denominator})"
    lip = abs(b) + sum(abs(c) for c, _ in kinks)  # an exact Lipschitz constant, derived independently
    return text, lip


@settings(deadline=None, max_examples=60)
@given(pl_targets(), st.sampled_from([1, 2, 3]), st.sampled_from([F(1, 2), F(1, 3), F(1, 4)]))
def test_pl_targets_bound_and_exact_error(target, p, eps):
    text, lip = target
    res = approximate(text, "0:1", p, eps, lipschitz=lip)
    assert res.network.width <= 2
    assert res.bound <= eps
    exact_pp = exact_error_1d(res.network, parse(text, 1), [(F(0), F(1))], F(p))
    assert exact_pp is not None
    assert exact_pp <= res.bound ** p  # exact p-th powers: no rounding anywhere
    from nncert.proofs.claims.p1_approximation import certify_lp

    cert = certify_lp(text, "0:1", p, eps, lipschitz=lip, numeric=False, exact=False)
    assert check_certificate(Certificate.loads(cert.dumps())).holds
