"""Frames over pipes between the trusted grader and the code it grades (see ``wire.py``).

``Frames`` sends and receives whole frames on two file descriptors, blocking; the functions
it uses are taken when it is made, so a notebook that later replaces ``os.read`` or
``os.write`` does not change it.  ``FrameParser`` takes bytes as they arrive (the trusted
side reads without blocking, to watch deadlines meanwhile) and returns the frames they
complete.
"""
from __future__ import annotations

import os

from . import wire


class Frames:
    """Blocking frames on ``fd_in`` (read) and ``fd_out`` (write)."""

    def __init__(self, fd_in: int, fd_out: int):
        self.fd_in, self.fd_out = fd_in, fd_out
        self._read, self._write = os.read, os.write
        self._pack, self._unpack = wire.pack, wire.unpack
        self._sizes, self._header = wire.header_sizes, wire.HEADER_SIZE

    def send(self, message: dict, arrays=()) -> None:
        view = memoryview(self._pack(message, arrays))
        while view:
            view = view[self._write(self.fd_out, view):]

    def _exactly(self, n):
        chunks = []
        while n:
            chunk = self._read(self.fd_in, min(n, 1 << 20))
            if not chunk:
                raise EOFError("the other side closed the channel")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def receive(self) -> tuple:
        """(message, arrays) of the next frame; EOFError when the other side is gone."""
        n_json, n_blob = self._sizes(self._exactly(self._header))
        return self._unpack(self._exactly(n_json), self._exactly(n_blob))


class FrameParser:
    """Bytes in, complete frames out: ``feed(data)`` returns [(message, arrays), ...].
    Raises ``wire.WireError`` on a malformed or oversized frame."""

    def __init__(self):
        self._buffer = bytearray()
        self._need = None  # (JSON length, npz length) once the header is in

    def feed(self, data: bytes) -> list:
        self._buffer += data
        frames = []
        while True:
            if self._need is None:
                if len(self._buffer) < wire.HEADER_SIZE:
                    return frames
                self._need = wire.header_sizes(bytes(self._buffer[:wire.HEADER_SIZE]))
                del self._buffer[:wire.HEADER_SIZE]
            n_json, n_blob = self._need
            if len(self._buffer) < n_json + n_blob:
                return frames
            text = bytes(self._buffer[:n_json])
            blob = bytes(self._buffer[n_json:n_json + n_blob])
            del self._buffer[:n_json + n_blob]
            self._need = None
            frames.append(wire.unpack(text, blob))
