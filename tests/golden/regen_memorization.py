"""Regenerate the golden memorization certificates. Run explicitly, then review the diff:

    python -m tests.golden.regen_memorization
"""


from nncert.data import from_arrays, load_bundled
from nncert.proofs.claims.p1_memorization import certify
from tests.golden._golden import pinned, write_all

CASES = {
    "memorization_xor": lambda: from_arrays([[0, 0], [1, 1], [0, 1], [1, 0]], ["even", "even", "odd", "odd"]),
    "memorization_iris_setosa_vs_rest": lambda: load_bundled("iris").relabel([["setosa"], ["versicolor", "virginica"]]),
    "memorization_iris": lambda: load_bundled("iris"),
}


def build(name):
    return pinned(certify(CASES[name](), z3=False))


if __name__ == "__main__":
    write_all(CASES, build)
