"""Regenerate the golden random-batch dynamics certificates (issue 6): ``python -m tests.golden.regen_rbm_dynamics``.

Review the diff before committing: these files are re-checked by ``test_golden_rbm_dynamics.py``.
"""

from __future__ import annotations

from fractions import Fraction

from tests.golden._golden import pinned, write_all

NAMES = ["rbm_dynamics_dropout_residual_p6", "rbm_dynamics_tv_gaussian"]


def build(name: str):  # noqa: ANN201
    if name == "rbm_dynamics_dropout_residual_p6":
        from nncert.proofs.claims.p2_bernoulli_dropout_residual import certify

        return certify(p=6, d=2, K=5, q=Fraction(1, 2), h=Fraction(1, 5), n_points=4, seed=0)
    if name == "rbm_dynamics_tv_gaussian":
        from nncert.proofs.claims.p2_tv_rate import certify

        return certify(hs=[Fraction(1, 2**k) for k in range(1, 6)])
    raise KeyError(name)


if __name__ == "__main__":
    write_all(NAMES, lambda n: pinned(build(n)))
