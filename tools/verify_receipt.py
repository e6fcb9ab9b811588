#!/usr/bin/env python3
"""Check an AtMostOnce receipt without trusting the government's servers: Python 3.11+, standard library only.

    python3 verify_receipt.py receipt.json heads.json

receipt.json is what an application's page offers ("Download receipt"); heads.json is what
/transparency/heads publishes (keep your own copy: a head you saw once cannot be taken back). The
script recomputes each event's hash from its fields, checks that the events link up as one chain,
that each sealed event is a leaf of the tree under the receipt's head (RFC 9162 inclusion proof),
and that the head is signed by a published key (Ed25519, RFC 8032). Exit status 0 and "receipt ok",
or 1 and what failed.
"""

import base64
import hashlib
import json
import sys

GENESIS = "0" * 64
HEAD_FORMAT = "atmostonce-tree-head/v1"


class Failed(Exception):
    pass


# --- event hashes: the canonical JSON services/audit.py takes each event's hash of ---


def event_hash(fields: dict, prev_hash: str) -> str:
    text = json.dumps({**fields, "prev": prev_hash}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the Merkle tree of RFC 9162 §2.1 ---


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list, root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
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


# --- Ed25519 verification, RFC 8032 §6 (the reference code, verification only) ---

P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x = (a[1] - a[0]) * (b[1] - b[0]) % P
    y = (a[1] + a[0]) * (b[1] + b[0]) % P
    c = 2 * a[3] * b[3] * D % P
    d = 2 * a[2] * b[2] % P
    e, f, g, h = y - x, d - c, d + c, y + x
    return (e * f, g * h, f * g, e * h)


def _mul(s, point):
    result = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            result = _add(result, point)
        point = _add(point, point)
        s >>= 1
    return result


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decompress(data: bytes):
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


_G_Y = 4 * pow(5, P - 2, P) % P
_G_X = _recover_x(_G_Y, 0)
G = (_G_X, _G_Y, 1, _G_X * _G_Y % P)


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % Q
    return _equal(_mul(s, G), _add(r, _mul(h, a)))


# --- the receipt ---


def head_text(head: dict) -> bytes:
    fields = [HEAD_FORMAT, head["size"], head["root"], head["timestamp_ms"], head["prev_size"], head["prev_root"]]
    return ("\n".join(str(field) for field in [*fields, head["key_id"]]) + "\n").encode("ascii")


def check_head(head: dict, published: dict) -> None:
    keys = {key["key_id"]: base64.b64decode(key["public_key"]) for key in published.get("keys", [])}
    public = keys.get(head["key_id"])
    if public is None:
        raise Failed(f"the head at size {head['size']} is signed by key {head['key_id']}, which is not published")
    if hashlib.sha256(public).digest()[:8].hex() != head["key_id"]:
        raise Failed(f"the published key {head['key_id']} is not the key its id names")
    if not ed25519_verify(public, head_text(head), base64.b64decode(head["signature"])):
        raise Failed(f"the signature of the head at size {head['size']} does not hold")
    for seen in published.get("heads", []):
        if seen["size"] == head["size"] and seen != head:
            raise Failed(f"the head at size {head['size']} is not the one published for that size")


def check_receipt(receipt: dict, published: dict) -> int:
    """Raise Failed naming the first thing that does not hold; the number of sealed events otherwise."""
    head = receipt.get("head")
    if head is not None:
        check_head(head, published)
        root = bytes.fromhex(head["root"])
    prev = GENESIS
    sealed = 0
    for number, event in enumerate(receipt["events"], start=1):
        name = f"event {number} ({event['fields'].get('event')})"
        if event["fields"].get("position", number) != number:
            raise Failed(f"{name} stands at position {event['fields']['position']}: an event before it is missing")
        if event["prev_hash"] != prev:
            raise Failed(f"{name} does not point at the event before it: the chain is broken")
        if event_hash(event["fields"], event["prev_hash"]) != event["hash"]:
            raise Failed(f"{name}: its fields do not hash to its hash: it was changed")
        if event.get("leaf_index") is not None:
            if head is None:
                raise Failed(f"{name} names a leaf, but the receipt has no head")
            proof = [bytes.fromhex(node) for node in event["inclusion_proof"]]
            leaf = leaf_hash(bytes.fromhex(event["hash"]))
            if not verify_inclusion(leaf, event["leaf_index"], head["size"], proof, root):
                raise Failed(f"{name} is not leaf {event['leaf_index']} of the tree under the head")
            sealed += 1
        prev = event["hash"]
    return sealed


def main(argv: list) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as receipt_file, open(argv[2], encoding="utf-8") as heads_file:
        receipt, published = json.load(receipt_file), json.load(heads_file)
    try:
        sealed = check_receipt(receipt, published)
    except (Failed, KeyError, ValueError, TypeError) as failure:
        print(f"receipt FAILED: {failure}")
        return 1
    waiting = len(receipt["events"]) - sealed
    print(f"receipt ok: {len(receipt['events'])} events, {sealed} in the signed tree, {waiting} not yet sealed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
