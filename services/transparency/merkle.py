"""The Merkle tree of RFC 9162 §2.1 (Certificate Transparency v2), in the standard library alone.

Hashes: a leaf is SHA-256(0x00 || data), an interior node SHA-256(0x01 || left || right); the root of
n leaves splits them at the largest power of two below n. Proofs are generated from a `NodeReader`,
which returns the hash of a perfect subtree: `reader(level, index)` covers leaves
[index * 2**level, (index + 1) * 2**level). Every range the RFC's recursion visits is a perfect
subtree on its left, so stored perfect subtrees (the tiles) are all a proof ever reads.
"""

import hashlib
from collections.abc import Callable, Sequence

NodeReader = Callable[[int, int], bytes]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(width: int) -> int:
    """The largest power of two strictly below `width` (which is at least 2)."""
    return 1 << ((width - 1).bit_length() - 1)


def subtree_root(reader: NodeReader, start: int, end: int) -> bytes:
    """MTH of leaves [start, end); `start` is a multiple of the largest power of two below end - start."""
    width = end - start
    if width == 0:
        return EMPTY_ROOT
    if width & (width - 1) == 0:
        level = width.bit_length() - 1
        return reader(level, start >> level)
    split = _split(width)
    return node_hash(reader(split.bit_length() - 1, start // split), subtree_root(reader, start + split, end))


def tree_root(reader: NodeReader, size: int) -> bytes:
    return subtree_root(reader, 0, size)


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 6962 §2.1.1: the siblings from the leaf up to the root."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    return _path(reader, index, 0, size)


def _path(reader: NodeReader, index: int, start: int, end: int) -> list[bytes]:
    if end - start == 1:
        return []
    split = _split(end - start)
    if index < start + split:
        return [*_path(reader, index, start, start + split), subtree_root(reader, start + split, end)]
    return [*_path(reader, index, start + split, end), subtree_root(reader, start, start + split)]


def consistency_proof(reader: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 6962 §2.1.2."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    return _subproof(reader, old_size, 0, new_size, True)


def _subproof(reader: NodeReader, m: int, start: int, end: int, complete: bool) -> list[bytes]:
    width = end - start
    if m == width:
        return [] if complete else [subtree_root(reader, start, end)]
    split = _split(width)
    if m <= split:
        return [*_subproof(reader, m, start, start + split, complete), subtree_root(reader, start + split, end)]
    return [*_subproof(reader, m - split, start + split, end, False), subtree_root(reader, start, start + split)]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2, step by step; `leaf` is the leaf's hash."""
    if index >= size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2, step by step."""
    if old_size > new_size or old_size == 0:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class Frontier:
    """The right edge of a growing tree: one perfect subtree root per set bit of its size.

    Appending a leaf merges equal subtrees like carrying in binary addition; each merge is one
    perfect subtree, handed to `on_node(level, index, hash)` so a caller can store the ones it keeps.
    """

    def __init__(self, size: int = 0, roots: Sequence[bytes] = ()):
        # roots: the perfect subtrees of `size`, largest (leftmost) first, as tree_root decomposes it.
        self.size = size
        self.roots = list(roots)

    @classmethod
    def of(cls, reader: NodeReader, size: int) -> "Frontier":
        roots, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                roots.append(reader(level, start >> level))
                start += 1 << level
        return cls(size, roots)

    def append(self, leaf: bytes, on_node: Callable[[int, int, bytes], None]) -> None:
        index, level, current = self.size, 0, leaf
        on_node(0, index, current)
        while index >> level & 1:
            current = node_hash(self.roots.pop(), current)
            level += 1
            on_node(level, index >> level, current)
        self.roots.append(current)
        self.size += 1

    def root(self) -> bytes:
        if not self.roots:
            return EMPTY_ROOT
        current = self.roots[-1]
        for left in reversed(self.roots[:-1]):
            current = node_hash(left, current)
        return current
