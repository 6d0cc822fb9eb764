"""Identifier formats: Salesforce 18-character ids, UUIDs, vendor-looking tokens.

All generators take a numpy Generator so output is fixed by the seed; bulk versions
slice one big hex/base64 string instead of formatting ids one by one (millions of
message ids at the larger scales).
"""

from __future__ import annotations

import base64

import numpy as np

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

SF_PREFIX = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "OpportunityContactRole": "00K",
    "Lead": "00Q",
    "LeadHistory": "017",
    "UserRole": "00E",
    "Campaign": "701",
}


def _base62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(_BASE62[r])
    if n:
        raise ValueError("number too large for the id width")
    return "".join(reversed(out))


def sf_checksum(id15: str) -> str:
    """Salesforce's case-safe suffix: one character per 5-character block, from the
    bit pattern of its upper-case letters."""
    suffix = []
    for block in range(3):
        flags = 0
        for bit, ch in enumerate(id15[block * 5 : block * 5 + 5]):
            if "A" <= ch <= "Z":
                flags |= 1 << bit
        suffix.append(_SF_SUFFIX[flags])
    return id15 + "".join(suffix)


def sf_id(sobject: str, number: int) -> str:
    """The 18-character id of record ``number`` of an object: key prefix, instance
    ``5e``, a reserved ``0``, 9 base-62 digits, then the checksum."""
    return sf_checksum(f"{SF_PREFIX[sobject]}5e0{_base62(number, 9)}")


def is_valid_sf_id(value: str) -> bool:
    return len(value) == 18 and sf_checksum(value[:15]) == value


def hex_ids(rng: np.random.Generator, n: int, nbytes: int = 16) -> list[str]:
    """``n`` random lower-case hex strings of ``2 * nbytes`` characters."""
    if n == 0:
        return []
    h = rng.bytes(n * nbytes).hex()
    w = 2 * nbytes
    return [h[i : i + w] for i in range(0, n * w, w)]


def uuid4s(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` random version-4 UUID strings."""
    if n == 0:
        return []
    raw = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    h = raw.tobytes().hex()
    out = []
    for i in range(0, 32 * n, 32):
        s = h[i : i + 32]
        out.append(f"{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-{s[20:]}")
    return out


def b64_tokens(rng: np.random.Generator, n: int, nbytes: int) -> list[str]:
    """``n`` url-safe base64 tokens of ``nbytes`` random bytes (``nbytes`` % 3 == 0 so
    the concatenated encoding slices cleanly and carries no padding)."""
    if nbytes % 3:
        raise ValueError("nbytes must be a multiple of 3")
    if n == 0:
        return []
    s = base64.urlsafe_b64encode(rng.bytes(n * nbytes)).decode("ascii")
    w = nbytes // 3 * 4
    return [s[i : i + w] for i in range(0, n * w, w)]


def digit_ids(rng: np.random.Generator, n: int, digits: int) -> list[str]:
    """``n`` distinct decimal ids of exactly ``digits`` (1..18) digits."""
    if not 1 <= digits <= 18:
        raise ValueError("digits must be 1..18")
    out: list[str] = []
    seen: set[int] = set()
    while len(out) < n:
        for v in rng.integers(10 ** (digits - 1), 10**digits, size=n, dtype=np.int64).tolist():
            if v not in seen:
                seen.add(v)
                out.append(str(v))
                if len(out) == n:
                    break
    return out
