"""pytest configuration: doctests get `nncert`, `Fraction` and the module's own names."""

from fractions import Fraction

import pytest

import nncert
from nncert.core import Network


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace["nncert"] = nncert
    doctest_namespace["Fraction"] = Fraction
    doctest_namespace["Network"] = Network
