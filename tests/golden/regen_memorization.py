"""Regenerate the golden memorization certificates. Run explicitly, then review the diff:

    python tests/golden/regen_memorization.py
"""

import os

from nncert.data import from_arrays, load_bundled
from nncert.proofs.claims.p1_memorization import certify

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = {
    "memorization_xor": lambda: from_arrays([[0, 0], [1, 1], [0, 1], [1, 0]], ["even", "even", "odd", "odd"]),
    "memorization_iris_setosa_vs_rest": lambda: load_bundled("iris").relabel([["setosa"], ["versicolor", "virginica"]]),
    "memorization_iris": lambda: load_bundled("iris"),
}


def build(name):
    cert = certify(CASES[name](), z3=False)
    # timings and version vary from run to run: pin them so the golden file only changes with the math
    return type(cert)(cert.claim, cert.params, cert.witness, cert.admitted, cert.checked_by, {}, "golden")


if __name__ == "__main__":
    for name in CASES:
        with open(os.path.join(HERE, f"{name}.json"), "w") as fh:
            fh.write(build(name).dumps())
        print("wrote", name)
