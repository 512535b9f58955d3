"""Regenerate the golden width-1 / norm / regularized-loss certificates. Run explicitly, then review the diff:

    python -m tests.golden.regen_width_one

The files are re-checked by tests/golden/test_golden_width_one.py (they are not rebuilt there: the
z3 models behind the Farkas vectors may differ between z3 versions, and any valid vector is fine).
"""


from nncert.data import load_bundled
from nncert.proofs.claims import p1_norm_bound, p1_regularized_loss, p1_width_sharpness
from tests.golden._golden import pinned, write_all


def _iris_pair():
    return load_bundled("iris").relabel([["versicolor"], ["virginica"]])


CASES = {
    "width_one_xor": lambda: p1_width_sharpness.certify(
        [(f"xor_d{k}", p1_width_sharpness.xor_data(k)) for k in p1_width_sharpness.XOR_DIMS]),
    "width_one_iris_versicolor_virginica": lambda: p1_width_sharpness.certify([("iris[versicolor;virginica]",
                                                                                 _iris_pair())]),
    "width_one_norm_bound_iris": lambda: p1_norm_bound.certify(load_bundled("iris")),
    "width_one_regularized_iris": lambda: p1_regularized_loss.certify(load_bundled("iris")),
}


def build(name):
    return pinned(CASES[name]())


if __name__ == "__main__":
    write_all(CASES, build)
