"""A user's own construction, checked exactly with nncert.

``interpolant(ds)`` builds a ReLU network with one hidden layer that passes through every point of a
1-D data set: f(x) = y_0 + s_0 (x - x_0) + sum_k (s_k - s_{k-1}) relu(x - x_k) with slopes s_k between
consecutive sorted points. (x - x_0 is written as relu(x - x_0) - relu(x_0 - x).)
"""

from fractions import Fraction

from hypothesis import given, settings

from nncert import Dataset, Network, Status, Verdict
from nncert.strategies import datasets


def interpolant(ds: Dataset) -> Network:
    pts = sorted(zip((p[0] for p in ds.points), ds.labels))
    xs = [x for x, _ in pts]
    ys = [Fraction(y) for _, y in pts]
    slopes = [(ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]) for k in range(len(xs) - 1)] or [Fraction(0)]
    # hidden units: relu(x - x0), relu(x0 - x), relu(x - x_k) for k = 1..n-2
    w1 = [[1], [-1]] + [[1] for _ in xs[1:-1]]
    b1 = [-xs[0], xs[0]] + [-x for x in xs[1:-1]]
    w2 = [[slopes[0], -slopes[0]] + [slopes[k] - slopes[k - 1] for k in range(1, len(xs) - 1)]]
    return Network.from_rows([w1, w2], [b1, [ys[0]]])


def classifies(net: Network, ds: Dataset) -> Verdict:
    for i, (p, y) in enumerate(zip(ds.points, ds.labels)):
        out = net(p)
        if out != (Fraction(y),):
            return Verdict(Status.REFUTED, "interpolant", reason=f"point {i}",
                           counterexample={"point": str(i), "output": str(out[0]), "label": str(y)})
    return Verdict(Status.HOLDS, "interpolant", evidence=f"f(x_i) = y_i exactly at all {ds.n} points")


@settings(max_examples=30, deadline=None)
@given(datasets(n=(1, 8), d=1, classes=1, max_abs=4))
def test_interpolant_single_class(nncert_check, ds):
    nncert_check(classifies(interpolant(ds), ds))


@settings(max_examples=30, deadline=None)
@given(datasets(n=(3, 10), d=1, classes=3, near_duplicates=True))
def test_interpolant_survives_near_duplicates(nncert_check, ds):
    net = interpolant(ds)
    nncert_check(classifies(net, ds))
    assert net.width <= max(2, ds.n)
