"""`__all__` lists exactly the public names each package exposes, and each resolves to the documented object."""

import importlib

import pytest


@pytest.mark.parametrize("mod", ["nncert", "nncert.core", "nncert.errors", "nncert.data", "nncert.verify",
                                 "nncert.constructions"])
def test_all_names_exist(mod):
    m = importlib.import_module(mod)
    for name in m.__all__:
        assert hasattr(m, name), f"{mod}.__all__ names missing {name}"
    assert len(set(m.__all__)) == len(m.__all__)


def test_function_names_are_functions_not_submodules():
    import nncert.constructions as c
    import nncert.constructions.memorize  # noqa: F401 - importing the submodule must not shadow the function
    import nncert.verify as v
    import nncert.verify.norms  # noqa: F401

    assert callable(c.memorize) and callable(c.peel) and callable(c.approximate)
    assert callable(v.norms) and callable(v.width_one) and callable(v.lp_error)


def test_errors_share_one_base_class():
    import nncert.errors as e

    for name in e.__all__:
        assert issubclass(getattr(e, name), e.NncertError)
