"""Merkle trees of RFC 6962's shape over a BATCH's ballots.

leaf = Hd(leaf, T, sigma); node = Hd(node, left, right). For n leaves the root is the leaf itself
when n = 1, else node(root(first k), root(rest)) with k the largest power of two below n. There
is no empty tree: a BATCH holds at least one ballot. An inclusion path lists the sibling hashes
from the leaf up (RFC 6962 section 2.1.1); it is checked with RFC 9162's algorithm (2.1.3.2).
"""

from __future__ import annotations

from .hashing import TAG_LEAF, TAG_NODE, hd


def leaf_hash(tracker: bytes, sigma: bytes) -> bytes:
    return hd(TAG_LEAF, tracker, sigma)


def node_hash(left: bytes, right: bytes) -> bytes:
    return hd(TAG_NODE, left, right)


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root(leaves: list[bytes]) -> bytes:
    if not leaves:
        raise ValueError("a Merkle tree needs at least one leaf")
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def inclusion_path(leaves: list[bytes], index: int) -> list[bytes]:
    if not 0 <= index < len(leaves):
        raise IndexError("leaf index outside the tree")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return inclusion_path(leaves[:k], index) + [root(leaves[k:])]
    return inclusion_path(leaves[k:], index - k) + [root(leaves[:k])]


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: list[bytes], expected: bytes
) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected
