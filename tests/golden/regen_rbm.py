"""Regenerate the golden random-batch (issue 5) certificates. Run explicitly, then review the diff:

    python -m tests.golden.regen_rbm

Solver, sympy and Monte Carlo parts are switched off so the files only change with the math.
"""


from nncert.proofs.claims import p2_batch_design, p2_bernoulli_dropout, p2_optimal_h, p2_unbiasedness
from nncert.proofs.claims import p2_variance_identities
from tests.golden._golden import pinned, write_all

CASES = {
    "rbm_unbiasedness_p4": lambda: p2_unbiasedness.certify(4, d=1, symbolic=False),
    "rbm_variance_identities_p4": lambda: p2_variance_identities.certify(4, d=1, symbolic=False),
    "rbm_bernoulli_dropout_p3": lambda: p2_bernoulli_dropout.certify(3, d=1),
    "rbm_optimal_h_default": lambda: p2_optimal_h.certify(z3=False, sympy=False),
    "rbm_batch_design_default": lambda: p2_batch_design.certify(ilp=False, mc=False),
}


def build(name):
    return pinned(CASES[name](), keep_checked_by=False)


if __name__ == "__main__":
    write_all(CASES, build)
