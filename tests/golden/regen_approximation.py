"""Regenerate the golden approximation (issue 4) certificates. Run explicitly, then review the diff:

    python -m tests.golden.regen_approximation
"""


from nncert.proofs.claims.p1_approximation import certify_lp, certify_sobolev, certify_vector
from tests.golden._golden import pinned, write_all

CASES = {
    "approximation_abs_p2": lambda: certify_lp("abs(x1 - 1/2)", "0:1", 2, "1/10", numeric=False, exact=False),
    "approximation_sobolev_sin_p2": lambda: certify_sobolev("sin(pi*x1)", "0:1", 2, "1/5", sobolev="2.23",
                                                            numeric=False, exact=False),
    "approximation_vector_p1": lambda: certify_vector(("x1*x2", "abs(x1 - x2)"), "0:1,0:1", 1, "1/4", numeric=False,
                                                      exact=False),
}


def build(name):
    return pinned(CASES[name]())


if __name__ == "__main__":
    write_all(CASES, build)
