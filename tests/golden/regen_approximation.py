"""Regenerate the golden approximation (issue 4) certificates. Run explicitly, then review the diff:

    python tests/golden/regen_approximation.py
"""

import os

from nncert.proofs.claims.p1_approximation import certify_lp, certify_sobolev, certify_vector

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = {
    "approximation_abs_p2": lambda: certify_lp("abs(x1 - 1/2)", "0:1", 2, "1/10", numeric=False, exact=False),
    "approximation_sobolev_sin_p2": lambda: certify_sobolev("sin(pi*x1)", "0:1", 2, "1/5", sobolev="2.23",
                                                            numeric=False, exact=False),
    "approximation_vector_p1": lambda: certify_vector(("x1*x2", "abs(x1 - x2)"), "0:1,0:1", 1, "1/4", numeric=False,
                                                      exact=False),
}


def build(name):
    cert = CASES[name]()
    # timings and version vary from run to run: pin them so the golden file only changes with the math
    return type(cert)(cert.claim, cert.params, cert.witness, cert.admitted, cert.checked_by, {}, "golden")


if __name__ == "__main__":
    for name in CASES:
        with open(os.path.join(HERE, f"{name}.json"), "w") as fh:
            fh.write(build(name).dumps())
        print("wrote", name)
