"""A progress line on stderr for long runs (shown after ~2 s, only on a terminal or NNCERT_PROGRESS=1)."""

from __future__ import annotations

import os
import sys
import threading
import time


class Progress:
    """Context manager; call ``update(stage, fraction)`` from the work, it redraws in a thread."""

    def __init__(self, label: str, delay: float = 2.0, stream=None) -> None:  # noqa: ANN001
        self.label = label
        self.delay = delay
        self.stream = stream or sys.stderr
        self.stage = "starting"
        self.fraction = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False
        self.enabled = bool(os.environ.get("NNCERT_PROGRESS")) or getattr(self.stream, "isatty", lambda: False)()

    def update(self, stage: str, fraction: float) -> None:
        """Record the current stage and overall fraction done (0..1)."""
        self.stage, self.fraction = stage, max(0.0, min(1.0, fraction))

    def _run(self) -> None:
        start = time.perf_counter()
        while not self._stop.wait(0.2):
            elapsed = time.perf_counter() - start
            if elapsed < self.delay:
                continue
            filled = int(self.fraction * 20)
            bar = "#" * filled + "-" * (20 - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.fraction:4.0%} {self.stage:<24} {elapsed:6.1f}s")
            self.stream.flush()
            self._shown = True

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
