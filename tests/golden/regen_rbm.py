"""Regenerate the golden random-batch (issue 5) certificates. Run explicitly, then review the diff:

    python tests/golden/regen_rbm.py

Solver, sympy and Monte Carlo parts are switched off so the files only change with the math.
"""

import os

from nncert.proofs.claims import p2_batch_design, p2_bernoulli_dropout, p2_optimal_h, p2_unbiasedness
from nncert.proofs.claims import p2_variance_identities

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = {
    "rbm_unbiasedness_p4": lambda: p2_unbiasedness.certify(4, d=1, symbolic=False),
    "rbm_variance_identities_p4": lambda: p2_variance_identities.certify(4, d=1, symbolic=False),
    "rbm_bernoulli_dropout_p3": lambda: p2_bernoulli_dropout.certify(3, d=1),
    "rbm_optimal_h_default": lambda: p2_optimal_h.certify(z3=False, sympy=False),
    "rbm_batch_design_default": lambda: p2_batch_design.certify(ilp=False, mc=False),
}


def build(name):
    cert = CASES[name]()
    # timings, informational records and version vary from run to run: pin them
    return type(cert)(cert.claim, cert.params, cert.witness, cert.admitted, {}, {}, "golden")


if __name__ == "__main__":
    for name in CASES:
        with open(os.path.join(HERE, f"{name}.json"), "w") as fh:
            fh.write(build(name).dumps())
        print("wrote", name)
