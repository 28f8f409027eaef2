"""Framed messages between the judge (the process that runs the tests) and the worker (the process
that runs the learner's code): a JSON header and binary blobs (array bytes), nothing else — no
pickle, so a message can never make the receiver run code.

Frame: 4-byte header length, 4-byte blob count, the header (UTF-8 JSON object), then each blob as
an 8-byte length and its bytes; all integers big-endian. The receiver bounds every size, so a
worker that writes garbage or floods the channel is a protocol error, never a crash of the judge.
"""

import json
import os
import selectors
import struct
import time

_HEAD = struct.Struct(">II")
_BLOB = struct.Struct(">Q")
MAX_HEADER = 8 * 1024 * 1024
MAX_BLOBS = 100_000
MAX_MESSAGE = 1024 * 1024 * 1024     # the most any message may be; a judge sets less per request


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed, bounded message."""


class ChannelClosed(Exception):
    """The other side is gone (its end of the pipe closed)."""


class ChannelTimeout(Exception):
    """No whole message arrived before the deadline."""


class Channel:
    """One direction in, one direction out, over two file descriptors (pipes)."""

    def __init__(self, read_fd: int, write_fd: int, *, max_message=MAX_MESSAGE):
        self.read_fd, self.write_fd = read_fd, write_fd
        self.max_message = max_message
        self._pending = bytearray()

    def send(self, header: dict, blobs=()) -> None:
        data = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
        parts = [_HEAD.pack(len(data), len(blobs)), data]
        for blob in blobs:
            view = memoryview(blob).cast("B")
            parts += [_BLOB.pack(view.nbytes), view]
        for part in parts:
            view = memoryview(part)
            while view.nbytes:
                written = os.write(self.write_fd, view)
                view = view[written:]

    def receive(self, deadline=None, max_message=None):
        """(header dict, [bytes blobs]); waits until `deadline` (time.monotonic()) or forever. A message
        larger than `max_message` bytes (default: the channel's) is a ProtocolError."""
        limit = min(max_message or self.max_message, self.max_message)
        count_header, count_blobs = _HEAD.unpack(self._read(_HEAD.size, deadline))
        if count_header > limit:
            raise ProtocolError(f"a message is larger than {limit} bytes")
        if count_header > MAX_HEADER or count_blobs > MAX_BLOBS:
            raise ProtocolError(f"a message announced a {count_header}-byte header and {count_blobs} blobs")
        try:
            header = json.loads(self._read(count_header, deadline).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise ProtocolError(f"a message header is not JSON: {err}") from None
        if not isinstance(header, dict):
            raise ProtocolError("a message header is not a JSON object")
        blobs, total = [], count_header
        for _ in range(count_blobs):
            (size,) = _BLOB.unpack(self._read(_BLOB.size, deadline))
            total += size
            if total > limit:
                raise ProtocolError(f"a message is larger than {limit} bytes")
            blobs.append(self._read(size, deadline))
        return header, blobs

    def _read(self, size: int, deadline) -> bytes:
        while len(self._pending) < size:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not _readable(self.read_fd, left):
                    raise ChannelTimeout()
            try:
                chunk = os.read(self.read_fd, max(65536, min(size - len(self._pending), 16 * 1024 * 1024)))
            except InterruptedError:
                continue
            except (ConnectionResetError, BrokenPipeError):
                raise ChannelClosed() from None
            if not chunk:
                raise ChannelClosed()
            self._pending += chunk
        data = bytes(self._pending[:size])
        del self._pending[:size]
        return data


def _readable(fd: int, timeout: float) -> bool:
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        return bool(selector.select(timeout))
