"""The Merkle tree against Certificate Transparency's reference vectors and a brute-force tree of every size."""

import hashlib

import pytest

from services.transparency import merkle

# The leaves and roots of RFC 6962's reference implementation tests (certificate-transparency, Trillian, Go's tlog).
CT_LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657")] + [
    bytes.fromhex("606162636465666768696a6b6c6d6e6f")
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, PATH) and (old size, new size, PROOF) from the same tests.
CT_INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CT_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip


def reader_over(leaf_hashes):
    """Perfect subtrees hashed from the leaves directly: the reader the stored tiles stand in for."""

    def read(level, index):
        return brute_root(leaf_hashes[index << level : (index + 1) << level])

    return read


def brute_root(leaf_hashes):
    """MTH exactly as RFC 6962 §2.1 writes it, recursively over the list."""
    n = len(leaf_hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return merkle.node_hash(brute_root(leaf_hashes[:k]), brute_root(leaf_hashes[k:]))


def brute_path(m, leaf_hashes):
    n = len(leaf_hashes)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*brute_path(m, leaf_hashes[:k]), brute_root(leaf_hashes[k:])]
    return [*brute_path(m - k, leaf_hashes[k:]), brute_root(leaf_hashes[:k])]


def brute_proof(m, leaf_hashes, complete=True):
    n = len(leaf_hashes)
    if m == n:
        return [] if complete else [brute_root(leaf_hashes)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*brute_proof(m, leaf_hashes[:k], complete), brute_root(leaf_hashes[k:])]
    return [*brute_proof(m - k, leaf_hashes[k:], False), brute_root(leaf_hashes[:k])]


CT_HASHES = [merkle.leaf_hash(data) for data in CT_LEAVES]
MANY = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(64)]


def test_the_roots_of_the_reference_leaves_are_ct_s():
    assert merkle.tree_root(reader_over([]), 0).hex() == CT_ROOTS[0]
    for size in range(1, 9):
        assert merkle.tree_root(reader_over(CT_HASHES), size).hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_inclusion_proofs_are_ct_s_and_verify(index, size, path):
    proof = merkle.inclusion_proof(reader_over(CT_HASHES), index, size)
    assert [p.hex() for p in proof] == path
    root = bytes.fromhex(CT_ROOTS[size])
    assert merkle.verify_inclusion(CT_HASHES[index], index, size, proof, root)
    assert not merkle.verify_inclusion(CT_HASHES[index], index, size, proof, bytes.fromhex(CT_ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new", "path"), CT_CONSISTENCY)
def test_consistency_proofs_are_ct_s_and_verify(old, new, path):
    proof = merkle.consistency_proof(reader_over(CT_HASHES), old, new)
    assert [p.hex() for p in proof] == path
    old_root, new_root = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)
    if old != new:
        assert not merkle.verify_consistency(old, new, new_root, new_root, proof)


def test_every_size_to_64_matches_the_brute_force_tree_and_its_frontier():
    frontier = merkle.Frontier()
    for size in range(1, 65):
        frontier.append(MANY[size - 1], lambda *_: None)
        expected = brute_root(MANY[:size])
        assert merkle.tree_root(reader_over(MANY), size) == expected
        assert frontier.root() == expected
        assert merkle.Frontier.of(reader_over(MANY), size).roots == frontier.roots


def test_the_frontier_hands_over_each_perfect_subtree_once_as_it_completes():
    seen = {}
    frontier = merkle.Frontier()
    for leaf in MANY[:13]:
        frontier.append(leaf, lambda level, index, value: seen.setdefault((level, index), value))
    complete = {(level, index) for level in range(4) for index in range(13 >> level)}
    assert set(seen) == complete
    assert all(seen[node] == reader_over(MANY)(*node) for node in complete)


def test_every_inclusion_proof_to_64_is_the_brute_force_one_and_only_it_verifies():
    reader = reader_over(MANY)
    for size in range(1, 65):
        root = brute_root(MANY[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(reader, index, size)
            assert proof == brute_path(index, MANY[:size])
            assert merkle.verify_inclusion(MANY[index], index, size, proof, root)
            other = (index + 1) % size
            if other != index:
                assert not merkle.verify_inclusion(MANY[other], index, size, proof, root)
            if proof:
                assert not merkle.verify_inclusion(MANY[index], index, size, proof[:-1], root)
                assert not merkle.verify_inclusion(MANY[index], index, size, [*proof, root], root)


def test_every_consistency_proof_to_64_is_the_brute_force_one_and_only_it_verifies():
    reader = reader_over(MANY)
    roots = [brute_root(MANY[:size]) for size in range(65)]
    for new in range(1, 65):
        for old in range(1, new + 1):
            proof = merkle.consistency_proof(reader, old, new)
            assert proof == brute_proof(old, MANY[:new])
            assert merkle.verify_consistency(old, new, roots[old], roots[new], proof)
            if old < new:
                assert not merkle.verify_consistency(old, new, roots[old - 1], roots[new], proof)
                assert not merkle.verify_consistency(old, new, roots[old], roots[new - 1], proof)
                assert not merkle.verify_consistency(old, new, roots[old], roots[new], proof[:-1])


def test_proofs_outside_the_tree_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_proof(reader_over(MANY), 8, 8)
    with pytest.raises(ValueError):
        merkle.consistency_proof(reader_over(MANY), 9, 8)
    assert not merkle.verify_inclusion(MANY[8], 8, 8, [], MANY[8])
    assert not merkle.verify_consistency(9, 8, MANY[0], MANY[0], [MANY[0]])
