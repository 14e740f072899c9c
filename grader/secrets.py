"""Secret values compared by hash: what the own-machine client sends instead of a password.

The client computes sha256(salt + "VAR=value") on the learner's computer (the salt is fresh for
each code, so the hash is no reusable password hash); the value itself never leaves. Checks
compare a `HashedValue` with plain text as if it were the value, and never show it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

PREFIX = "sha256:"


def digest(salt: str, var: str, value: str) -> str:
    """What the client script computes: `printf '%s' "$salt$pair" | sha256sum`."""
    return PREFIX + hashlib.sha256(f"{salt}{var}={value}".encode()).hexdigest()


@dataclass(frozen=True, eq=False)
class HashedValue:
    salt: str
    var: str
    hashed: str  # "sha256:<hex>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HashedValue):
            return (self.salt, self.var, self.hashed) == (other.salt, other.var, other.hashed)
        if isinstance(other, str):
            return digest(self.salt, self.var, other) == self.hashed
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self.hashed)

    def __str__(self) -> str:
        return "***"

    __repr__ = __str__


@dataclass(frozen=True)
class HashedPair:
    """One `Config.Env` entry whose value came only as a hash."""

    var: str
    value: HashedValue
