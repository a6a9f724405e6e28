"""Length-prefixed framing: bytes in, whole payloads out.

Every message after the ``API\\0`` hello is a 4-byte big-endian length followed by
that many bytes of payload.  :class:`FrameDecoder` keeps one receive buffer and
scans it by offset: each call to :meth:`FrameDecoder.feed` cuts every complete
frame out of the buffer and compacts what is left once, so a large read costs
time linear in its size (a decoder that re-slices the remaining buffer after
every message goes quadratic on 256 KiB reads; ``benchmarks/bench_framing.py``
shows the difference).

The announced length is checked before anything is buffered for it: zero and
anything above ``max_frame_size`` raise :class:`~ibwire.errors.FrameTooLargeError`.
A length with the top bit set (a negative number to a signed reader) is simply
very large and fails the same check.

From server version 201 the payload starts with the message id as a raw 4-byte
big-endian integer (:func:`encode_raw_frame`, :func:`split_raw_id`); before, the
id is the first text field.  Nothing else here knows about fields or ids.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Final

from .errors import FrameTooLargeError

__all__ = [
    "API_SIGN",
    "DEFAULT_MAX_FRAME_SIZE",
    "FrameDecoder",
    "encode_frame",
    "encode_hello",
    "encode_raw_frame",
    "split_raw_id",
]

#: Maximum payload size of the official clients (16 MiB - 1).
DEFAULT_MAX_FRAME_SIZE: Final = 0xFFFFFF
#: The four raw bytes that open every connection.
API_SIGN: Final = b"API\x00"

_HEADER: Final = struct.Struct(">I")
_unpack_from = _HEADER.unpack_from
_pack = _HEADER.pack


def encode_frame(payload: bytes) -> bytes:
    """Prefix ``payload`` with its 4-byte big-endian length."""
    return _pack(len(payload)) + payload


def encode_raw_frame(msg_id: int, body: bytes) -> bytes:
    """A frame of server version 201 or later: length, raw 4-byte id, ``body``."""
    return _pack(len(body) + 4) + _pack(msg_id) + body


def split_raw_id(payload: bytes) -> tuple[int, bytes]:
    """Split a payload of server version 201 or later into its raw id and body.

    Raises:
        ValueError: the payload is shorter than the 4-byte id.
    """
    if len(payload) < 4:
        raise ValueError(f"a payload of {len(payload)} bytes has no 4-byte message id")
    return _unpack_from(payload)[0], payload[4:]


def encode_hello(version_text: str) -> bytes:
    """The client's opening bytes: ``API\\0`` then the length-prefixed version text.

    ``version_text`` is for example ``"v100..200"`` or ``"v100..200 +PACEAPI"``;
    it carries no trailing NUL.
    """
    data = version_text.encode("ascii")
    return API_SIGN + _pack(len(data)) + data


class FrameDecoder:
    """Cuts a byte stream into frame payloads.

    Args:
        max_frame_size: the largest payload accepted, in bytes.  The default is
            the official clients' ``0xFFFFFF``.
    """

    __slots__ = ("_buffer", "max_frame_size")

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        if max_frame_size < 1:
            raise ValueError("max_frame_size must be positive")
        self.max_frame_size: int = max_frame_size
        self._buffer = b""

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a whole frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        """Add ``data`` and return the payloads of every frame now complete.

        Raises:
            FrameTooLargeError: a frame header announces zero bytes or more than
                ``max_frame_size``.  The decoder is unusable afterwards: the stream
                has lost its frame boundaries.
        """
        frames, error = self.split(data)
        if error is not None:
            raise error
        return frames

    def iter_feed(self, data: bytes) -> Iterator[bytes]:
        """Add ``data`` and yield the payload of every frame now complete, in order.

        Raises:
            FrameTooLargeError: as :meth:`feed`, after the frames before the bad
                header have been yielded.
        """
        frames, error = self.split(data)
        yield from frames
        if error is not None:
            raise error

    def split(self, data: bytes) -> tuple[list[bytes], FrameTooLargeError | None]:
        """Add ``data``; the payloads of every frame now complete, and the framing error.

        The error, when not ``None``, is a bad header found after the frames
        returned (a zero or oversized length): the caller handles those frames,
        then raises it.  One pass over the read, one slice per frame, the unfinished
        tail kept once per read: no generator and no re-slicing per frame, the
        cheapest framing in CPython (``benchmarks/bench_framing.py``).
        """
        if self._buffer:
            buffer = self._buffer + data
        elif data.__class__ is bytes:
            buffer = data
        else:
            buffer = bytes(data)
        size = len(buffer)
        last = size - 4  # the last offset a header can start at
        pos = 0
        limit = self.max_frame_size
        unpack_from = _unpack_from
        frames: list[bytes] = []
        append = frames.append
        # Per frame: one unpack, one range test, one slice (benchmarks/bench_framing.py).
        while pos <= last:
            (length,) = unpack_from(buffer, pos)
            if not 0 < length <= limit:
                self._buffer = buffer[pos:]
                return frames, FrameTooLargeError(length, limit)
            start = pos + 4
            pos = start + length
            if pos > size:
                pos = start - 4
                break
            append(buffer[start:pos])
        # Compact once per read, never per message; a read of whole frames
        # leaves the empty buffer.
        self._buffer = b"" if pos == size else buffer[pos:]
        return frames, None
