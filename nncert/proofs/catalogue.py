"""Every claim of both abstracts, by id: what ``nncert claims`` must list (registered or not).

A catalogue entry with no registered :class:`~nncert.proofs.Claim` of the same id is reported as
UNKNOWN ("checker not built yet"), never skipped. Claim modules must use these ids.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Entry", "CATALOGUE"]


class Entry(NamedTuple):
    id: str
    statement: str
    paper_part: str
    depends_on: tuple[str, ...] = ()


CATALOGUE: tuple[Entry, ...] = (
    Entry("P1.memorization.width2_depth",
          "N distinct points, M classes: a width-2 ReLU MLP of depth <= 2N+4M-1 classifies them exactly",
          "Paper 1, memorization theorem"),
    Entry("P1.memorization.width_sharpness",
          "width 2 is sharp: some data sets (XOR in d = 2..6) admit no width-1 ReLU MLP of any depth",
          "Paper 1, sharpness in width", ("P1.memorization.width2_depth",)),
    Entry("P1.memorization.norm_bound",
          "the explicit construction has parameter norm ||theta*||^2 <= B(N, M, data)",
          "Paper 1, uniform parameter-norm bounds", ("P1.memorization.width2_depth",)),
    Entry("P1.memorization.regularized_loss",
          "min J_lambda <= lambda ||theta*||^2; minimizers have ||theta_lambda||^2 <= ||theta*||^2 and training loss "
          "<= lambda ||theta*||^2",
          "Paper 1, regularized training estimate", ("P1.memorization.norm_bound",)),
    Entry("P1.approximation.lp_width_d_plus_1",
          "width d+1 ReLU MLPs approximate L^p(Omega; R_+) targets to any eps, with certified L^p error",
          "Paper 1, universal approximation in L^p"),
    Entry("P1.approximation.sobolev_depth",
          "for W^{1,p} targets the depth is O((|f|_{W^{1,p}}/eps)^d) with explicit constants",
          "Paper 1, depth estimate for W^{1,p}", ("P1.approximation.lp_width_d_plus_1",)),
    Entry("P1.approximation.vector_valued",
          "the approximation and depth results extend to L^p(Omega; R^m)",
          "Paper 1, extension to R^m outputs", ("P1.approximation.lp_width_d_plus_1",)),
    Entry("P2.unbiasedness",
          "the Horvitz-Thompson random-batch field is unbiased, E F^h = F, for every batch scheme",
          "Paper 2, unbiased estimator"),
    Entry("P2.variance_identities",
          "pointwise variance identities of the estimator for each canonical batch scheme",
          "Paper 2, comparison of batch schemes", ("P2.unbiasedness",)),
    Entry("P2.bernoulli_dropout",
          "Bernoulli(q) batches give inverted dropout with drop probability 1-q (estimator level, and Euler h = dt "
          "is a residual network with dropout)",
          "Paper 2, Bernoulli dropout as a special case", ("P2.unbiasedness",)),
    Entry("P2.bernoulli_dropout.residual",
          "with h = dt and Euler steps, Bernoulli(q) random batches are exactly a residual network with (inverted) "
          "dropout on its hidden units, under the same masks",
          "Paper 2, Bernoulli dropout as a special case (dynamics)", ("P2.bernoulli_dropout",)),
    Entry("P2.optimal_h",
          "closed-form optimal h from the cost-accuracy trade-off: model error at h* equals eps, below eps for h < h*",
          "Paper 2, optimal h"),
    Entry("P2.batch_design",
          "batch design: the integrated variance Lambda orders partitions (optimal < random average = uniform < "
          "adversarial)",
          "Paper 2, batch design", ("P2.variance_identities",)),
    Entry("P2.trajectory_rate",
          "mean-square trajectory error is O(h) (sup_t E and E sup_t readings)",
          "Paper 2, trajectory convergence", ("P2.unbiasedness",)),
    Entry("P2.tv_rate",
          "total-variation error of the pushed-forward distribution is O(h^(1/2))",
          "Paper 2, distribution-level convergence", ("P2.trajectory_rate",)),
    Entry("P2.training_deviation",
          "with a fixed batch schedule, the adjoint gradient is exact and cost/control/iterate deviations vanish as "
          "h -> 0",
          "Paper 2, training with fixed batch sampling", ("P2.trajectory_rate",)),
    Entry("P2.optimal_h_calibration",
          "the predicted h* from calibrated S, c matches the cheapest measured h meeting eps",
          "Paper 2, cost-accuracy trade-off in practice", ("P2.optimal_h", "P2.trajectory_rate")),
)
