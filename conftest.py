"""pytest configuration: doctests get `nncert`, `Fraction` and the module's own names."""

import os
from fractions import Fraction

import pytest
from hypothesis import settings

import nncert
from nncert.core import Network


# CI runs are reproducible: the same examples every run (a local run still explores new ones each time).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace["nncert"] = nncert
    doctest_namespace["Fraction"] = Fraction
    doctest_namespace["Network"] = Network
