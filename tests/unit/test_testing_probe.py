"""The conformance probe's check of a recorded session."""

from __future__ import annotations

from ibwire.framing import encode_frame, encode_hello
from ibwire.testing import SessionRecorder
from ibwire.testing.probe import check_session


def test_a_text_frame_kept_raw_is_checked_too() -> None:
    """A Latin-1 error text (a non-English TWS on Windows) is kept raw by the
    recorder; the probe decodes it as the client does instead of skipping it."""
    recorder = SessionRecorder(redact=False)
    leg = recorder.open_leg()
    recorder.feed(leg, "out", encode_hello("v100..200"), 0.0)
    error = b"4\x00-1\x002104\x00March\xe9 OK\x00\x001700000000000\x00"
    recorder.feed(leg, "in", encode_frame(b"200\x00t\x00") + encode_frame(error) + encode_frame(b"9\x001\x005\x00"), 0.1)
    stats = {(s.name, s.direction): s for s in check_session(recorder.session())}
    assert set(stats) == {("ErrMsg", "in"), ("NextValidId", "in")}
    assert (stats["ErrMsg", "in"].frames, stats["ErrMsg", "in"].decoded) == (1, 1)
    assert all(s.ok for s in stats.values())
