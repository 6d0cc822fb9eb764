"""Named random streams: every draw of the generator comes from a stream named by its
source (or world part) and the chunk, drop or other parts it needs.

``stream(seed, "segment", chunk)`` is ``numpy.random.default_rng`` seeded with
``[seed, w0, w1, w2, w3]``, where ``w0..w3`` are the first 16 bytes of
``sha256("segment/<chunk>")`` read as four unsigned 32-bit integers. The name never
goes through Python's ``hash()`` (salted per process), and no stream is numbered by
its position in a list, so adding a source, a platform or a draw to one source cannot
shift any other source's draws: each stream depends on (seed, its own name) only.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_key(name: str, *parts: int | str) -> tuple[int, int, int, int]:
    """Four stable 32-bit integers for the stream ``name/part/part...``.

    Explicit 32-bit words keep the seed material unambiguous (numpy splits a large
    integer into 32-bit words and pads short entropy with zeros)."""
    path_parts = [name, *(str(p) for p in parts)]
    if not name or any("/" in p for p in path_parts):
        raise ValueError(f"stream {path_parts!r}: a non-empty name, no '/' in any part")
    path = "/".join(path_parts)
    digest = hashlib.sha256(path.encode("utf-8")).digest()
    w = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
    return w[0], w[1], w[2], w[3]


def stream(seed: int, name: str, *parts: int | str) -> np.random.Generator:
    """The random stream of ``name`` (a source such as ``"segment"`` or
    ``"google_ads"``, or a shared world part such as ``"people"``) and its ``parts``
    (purpose, chunk, drop, ...) in the world of ``seed``."""
    if seed < 0:
        raise ValueError("seed must be >= 0")
    return np.random.default_rng([seed, *stream_key(name, *parts)])
