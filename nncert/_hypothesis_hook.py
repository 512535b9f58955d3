"""Hypothesis entry point (group ``hypothesis``): makes ``st.from_type`` know nncert's types.

Hypothesis calls :func:`setup` when it is imported. It only registers *functions* that build the
strategies on first use, so it neither imports :mod:`nncert.strategies` while hypothesis itself is
still being imported nor slows that import down.
"""

from __future__ import annotations

from typing import Any

__all__ = ["setup"]

_DONE = False


def _network(_: type) -> Any:
    from nncert.strategies import networks

    return networks()


def _dataset(_: type) -> Any:
    from hypothesis import strategies as st

    from nncert.strategies import datasets

    def sized(d: int, m: int) -> Any:
        return datasets((m, 8), d, m, max_abs=4)

    return st.tuples(st.integers(1, 3), st.integers(1, 3)).flatmap(lambda dm: sized(*dm))


def _certificate(_: type) -> Any:
    from nncert.strategies import certificates

    return certificates("memorization")


def setup() -> None:
    """Register strategies for :class:`nncert.Network`, :class:`nncert.Dataset`, :class:`nncert.Certificate`."""
    global _DONE
    if _DONE:
        return
    try:
        from hypothesis import strategies as st

        from nncert.core import Certificate, Network
        from nncert.data import Dataset

        st.register_type_strategy(Network, _network)
        st.register_type_strategy(Dataset, _dataset)
        st.register_type_strategy(Certificate, _certificate)
    except Exception as err:  # noqa: BLE001 - never break `import hypothesis` for everybody
        import warnings

        warnings.warn(f"nncert: could not register hypothesis strategies ({type(err).__name__}: {err})",
                      stacklevel=2)
        return
    _DONE = True
