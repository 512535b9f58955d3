"""The progress line appears only after the delay, on a terminal or with NNCERT_PROGRESS=1."""

import io
import time

from nncert.cli._progress import Progress


def test_progress_shows_after_delay(monkeypatch):
    monkeypatch.setenv("NNCERT_PROGRESS", "1")
    stream = io.StringIO()
    with Progress("memorize", delay=0.1, stream=stream) as p:
        p.update("exact check", 0.5)
        time.sleep(0.6)
    text = stream.getvalue()
    assert "memorize [##########----------]  50% exact check" in text and text.endswith("\n")


def test_progress_silent_for_short_runs_and_non_terminals(monkeypatch):
    monkeypatch.delenv("NNCERT_PROGRESS", raising=False)
    stream = io.StringIO()  # not a terminal
    with Progress("x", delay=0.0, stream=stream):
        time.sleep(0.3)
    assert stream.getvalue() == ""
    monkeypatch.setenv("NNCERT_PROGRESS", "1")
    with Progress("x", delay=5.0, stream=stream):
        time.sleep(0.3)
    assert stream.getvalue() == ""
