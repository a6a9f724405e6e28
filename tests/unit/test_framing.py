from __future__ import annotations

import struct

import pytest

from ibwire.errors import FrameTooLargeError, RemoteProtocolError
from ibwire.framing import (
    API_SIGN,
    DEFAULT_MAX_FRAME_SIZE,
    FrameDecoder,
    encode_frame,
    encode_hello,
)


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


def test_encode_frame_prefixes_big_endian_length() -> None:
    assert encode_frame(b"49\x001\x00") == b"\x00\x00\x00\x0549\x001\x00"


def test_encode_hello_matches_protocol_example() -> None:
    assert encode_hello("v100..200") == b"API\x00\x00\x00\x00\x09v100..200"
    assert API_SIGN == b"API\x00"


def test_default_max_is_official() -> None:
    assert DEFAULT_MAX_FRAME_SIZE == 0xFFFFFF
    assert FrameDecoder().max_frame_size == 0xFFFFFF


def test_whole_frames_in_one_read() -> None:
    dec = FrameDecoder()
    assert dec.feed(frame(b"a\x00") + frame(b"bc\x00")) == [b"a\x00", b"bc\x00"]
    assert dec.buffered == 0


def test_byte_by_byte() -> None:
    data = frame(b"hello\x00") + frame(b"x\x00")
    dec = FrameDecoder()
    out: list[bytes] = []
    for b in data:
        out += dec.feed(bytes([b]))
    assert out == [b"hello\x00", b"x\x00"]


def test_partial_frame_is_kept() -> None:
    dec = FrameDecoder()
    data = frame(b"abcdef")
    assert dec.feed(data[:7]) == []
    assert dec.buffered == 7
    assert dec.feed(data[7:] + b"\x00\x00") == [b"abcdef"]
    assert dec.buffered == 2


def test_zero_length_is_rejected() -> None:
    with pytest.raises(FrameTooLargeError) as info:
        FrameDecoder().feed(b"\x00\x00\x00\x00")
    assert info.value.length == 0
    assert isinstance(info.value, RemoteProtocolError)


def test_oversize_is_rejected_before_buffering() -> None:
    dec = FrameDecoder(max_frame_size=10)
    with pytest.raises(FrameTooLargeError) as info:
        dec.feed(struct.pack(">I", 11))
    assert info.value.length == 11
    assert info.value.max_size == 10


def test_negative_length_reads_as_huge_unsigned() -> None:
    with pytest.raises(FrameTooLargeError) as info:
        FrameDecoder().feed(struct.pack(">i", -1))
    assert info.value.length == 0xFFFFFFFF


def test_exactly_max_is_accepted() -> None:
    dec = FrameDecoder(max_frame_size=4)
    assert dec.feed(frame(b"abcd")) == [b"abcd"]


def test_bad_max_size() -> None:
    with pytest.raises(ValueError):
        FrameDecoder(max_frame_size=0)


def test_accepts_memoryview_and_bytearray() -> None:
    dec = FrameDecoder()
    data = frame(b"a\x00")
    assert dec.feed(bytearray(data)) == [b"a\x00"]
    assert dec.feed(memoryview(data)) == [b"a\x00"]


def test_split_keeps_only_the_unfinished_tail() -> None:
    dec = FrameDecoder()
    data = frame(b"a\x00") + frame(b"bc\x00")
    partial = frame(b"def\x00")[:5]
    frames, error = dec.split(data + partial)
    assert frames == [b"a\x00", b"bc\x00"] and error is None
    assert dec.buffered == 5
    frames, error = dec.split(frame(b"def\x00")[5:] + frame(b"g\x00"))
    assert frames == [b"def\x00", b"g\x00"] and error is None
    assert dec.buffered == 0


def test_split_returns_the_frames_before_a_bad_header() -> None:
    dec = FrameDecoder(max_frame_size=10)
    frames, error = dec.split(frame(b"a\x00") + struct.pack(">I", 11) + b"xyz")
    assert frames == [b"a\x00"]
    assert isinstance(error, FrameTooLargeError) and error.length == 11
    # The bad header and what follows stay buffered: nothing is skipped silently.
    assert dec.buffered == 7
