"""Pluggable executors for sweeps: serial, local processes, or Dask (``--dask ADDRESS`` / ``--dask local``).

Every executor offers ``map(fn, items) -> list`` returning results *in the order of items*. Work is
split into tasks by the caller independently of the executor (fixed chunks of schedules, each schedule
with its own seed), so serial, process and Dask runs compute exactly the same floating-point numbers.

Examples
--------
>>> ex = make_executor(jobs=1)
>>> ex.map(abs, [-1, 2, -3])
[1, 2, 3]
>>> ex.close()
>>> make_executor(dask="tcp://")
Traceback (most recent call last):
...
nncert.errors.InvalidArgument: --dask 'tcp://' is not 'local' or an address like tcp://host:8786
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Iterable

from nncert.errors import InvalidArgument

__all__ = ["Executor", "SerialExecutor", "ProcessExecutor", "DaskExecutor", "make_executor"]

_ADDRESS = re.compile(r"(tcp|tls|inproc|ucx|ws|wss)://[A-Za-z0-9_.\-\[\]:]+:[0-9]{1,5}")


class Executor:
    """Base class: ``map`` preserving order, ``close``; usable as a context manager."""

    name = "executor"

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        raise NotImplementedError

    def close(self) -> None:
        """Release workers (no-op for serial)."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs every task in this process, in order."""

    name = "serial"

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        return [fn(x) for x in items]


class ProcessExecutor(Executor):
    """Local worker processes (``concurrent.futures.ProcessPoolExecutor``); ``fn`` must be picklable."""

    name = "processes"

    def __init__(self, workers: int) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers)

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        return list(self._pool.map(fn, list(items)))

    def close(self) -> None:
        self._pool.shutdown()


class DaskExecutor(Executor):
    """Dask distributed: ``address`` of a running scheduler, or ``"local"`` for a ``LocalCluster``."""

    name = "dask"

    def __init__(self, address: str, workers: int | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as err:  # pragma: no cover - dask is a test dependency
            raise InvalidArgument(f"--dask needs dask[distributed] installed ({err})") from None
        self._cluster = None
        if address == "local":
            n = workers or min(2, os.cpu_count() or 1)
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=40)
            self._client = Client(self._cluster)
        else:
            self._client = Client(address, timeout="10s")
        self.address = address

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        futures = self._client.map(fn, list(items), pure=False)
        return self._client.gather(futures)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(jobs: int = 1, dask: str | None = None) -> Executor:
    """``dask`` (``"local"`` or an address) wins; else ``jobs`` processes (1 = serial, 0 = one per core, max 2)."""
    if dask is not None:
        if dask != "local" and not _ADDRESS.fullmatch(dask):
            raise InvalidArgument(f"--dask {dask!r} is not 'local' or an address like tcp://host:8786")
        return DaskExecutor(dask, workers=jobs if jobs and jobs > 1 else None)
    if int(jobs) != jobs or jobs < 0:
        raise InvalidArgument(f"jobs must be an integer >= 0, got {jobs!r}")
    if jobs == 0:
        jobs = min(2, os.cpu_count() or 1)
    if jobs == 1:
        return SerialExecutor()
    return ProcessExecutor(jobs)
