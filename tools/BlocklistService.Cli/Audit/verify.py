#!/usr/bin/env python3
"""Verify a BlocklistService audit bundle (blocklist-audit-bundle/1) with the Python 3 standard library only.

    python3 verify.py [BUNDLE.zip]      (default: the zip this script was extracted from, or the current folder)

Checks every leaf against its RFC 6962 / RFC 9162 inclusion proof and the signed checkpoint's root, and the
consistency proof from the start checkpoint. Signatures (ECDSA P-256 over SHA-256) are checked with `openssl` when
it is installed; the standard library has no ECDSA. Exits 0 when everything verifies, 1 naming the first failure.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile


class Failure(Exception):
    def __init__(self, place, message):
        super().__init__(f"{place}: {message}")


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def inclusion_ok(index, size, leaf, path, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
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


def consistency_ok(first, second, first_root, second_root, path):
    """RFC 9162 section 2.1.4.2."""
    if first < 1 or first > second:
        return False
    if first == second:
        return not path and first_root == second_root
    if first & (first - 1) == 0:  # a power of two: the first root is the first node of the proof
        path = [first_root] + list(path)
    if not path:
        return False
    fn, sn = first - 1, second - 1
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
    return sn == 0 and fr == first_root and sr == second_root


def unhex(text, place):
    try:
        value = bytes.fromhex(text)
    except (TypeError, ValueError):
        raise Failure(place, f"'{text}' is not hex")
    if len(value) != 32:
        raise Failure(place, f"'{text}' is not a 32-byte hash")
    return value


def lines(data, place):
    if data and not data.endswith(b"\n"):
        raise Failure(place, "the last line has no line ending")
    return data.split(b"\n")[:-1] if data else []


def openssl_verify(pem, content, signature):
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name, data in (("key.pem", pem.encode()), ("content", content), ("content.sig", signature)):
            paths[name] = os.path.join(folder, name)
            with open(paths[name], "wb") as f:
                f.write(data)
        run = subprocess.run(["openssl", "dgst", "-sha256", "-verify", paths["key.pem"], "-signature", paths["content.sig"], paths["content"]],
                             capture_output=True)
        return run.returncode == 0


def verify(read):
    manifest = json.loads(read("bundle.json"))
    if manifest.get("format") != "blocklist-audit-bundle/1":
        raise Failure("bundle.json", "not a blocklist-audit-bundle/1")
    start, end, size = manifest["start"], manifest["end"], manifest["treeSize"]
    # signatures first: the key set chain, then the checkpoints (with openssl)
    keys = {}
    for sequence in sorted(manifest["keySets"]):
        name = f"keys/{sequence}.json"
        document = read(name)
        keyset = json.loads(document)
        signer = keys.get(keyset["signedBy"]) or next((k["publicKeyPem"] for k in keyset["keys"] if k["keyId"] == keyset["signedBy"] and not keys), None)
        if signer is None:
            raise Failure(name, f"is signed by key {keyset['signedBy']}, which no earlier key set holds")
        keys.update({k["keyId"]: k["publicKeyPem"] for k in keyset["keys"]})
        if shutil.which("openssl") and not openssl_verify(signer, document, read(name + ".sig")):
            raise Failure(name, "its signature (.sig) does not verify")
    signed = ["checkpoint.json"] + (["start-checkpoint.json"] if start > 0 else [])
    for name in signed:
        key = keys.get(json.loads(read(name))["keyId"])
        if key is None:
            raise Failure(name, "is signed by a key the key set chain does not hold")
        if shutil.which("openssl") and not openssl_verify(key, read(name), read(name + ".sig")):
            raise Failure(name, "its signature (.sig) does not verify")
    checkpoint = json.loads(read("checkpoint.json"))
    if checkpoint["size"] != size:
        raise Failure("checkpoint.json", f"is of size {checkpoint['size']}, the bundle says {size}")
    root = unhex(checkpoint["rootHash"], "checkpoint.json")

    leaves = lines(read("leaves.jsonl"), "leaves.jsonl")
    proofs = lines(read("proofs/inclusion.jsonl"), "proofs/inclusion.jsonl")
    if len(leaves) != end - start or len(proofs) != end - start:
        raise Failure("leaves.jsonl", f"{len(leaves)} leaves and {len(proofs)} proofs for the range [{start}, {end})")
    for i, (leaf, line) in enumerate(zip(leaves, proofs)):
        index = start + i
        place = f"proofs/inclusion.jsonl line {i + 1} (leaf {index})"
        proof = json.loads(line)
        if proof["index"] != index:
            raise Failure(place, f"is the proof of leaf {proof['index']}")
        h = leaf_hash(leaf)
        if h != unhex(proof["leafHash"], place):
            raise Failure(f"leaves.jsonl line {i + 1} (leaf {index})", "the leaf does not hash to the leaf hash its inclusion proof proves: the leaf was altered")
        if not inclusion_ok(index, size, h, [unhex(p, place) for p in proof["auditPath"]], root):
            raise Failure(place, f"does not lead to the root of the checkpoint of size {size}")

    if start > 0:
        first = json.loads(read("start-checkpoint.json"))
        proof = json.loads(read("proofs/consistency.json"))
        if first["size"] != start or proof["first"] != start or proof["second"] != size:
            raise Failure("proofs/consistency.json", f"does not prove sizes {start} -> {size}")
        hashes = [unhex(p, "proofs/consistency.json") for p in proof["consistency"]]
        if not consistency_ok(start, size, unhex(first["rootHash"], "start-checkpoint.json"), root, hashes):
            raise Failure("proofs/consistency.json", f"the checkpoints of sizes {start} and {size} are not consistent")

    checked = "signatures checked with openssl" if shutil.which("openssl") else "signatures NOT checked (openssl not found)"
    print(f"OK: leaves {start}..{end - 1} are in the signed tree of {size} leaves; {checked}; key ids: {', '.join(sorted(keys))}")


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "."
    try:
        if os.path.isdir(target):
            def read(name):
                path = os.path.join(target, *name.split("/"))
                if not os.path.exists(path):
                    raise Failure(name, "is missing from the bundle")
                with open(path, "rb") as f:
                    return f.read()
            verify(read)
        else:
            with zipfile.ZipFile(target) as bundle:
                def read(name):
                    try:
                        return bundle.read(name)
                    except KeyError:
                        raise Failure(name, "is missing from the bundle")
                verify(read)
    except Failure as failure:
        print(f"FAILED: {failure}")
        return 1
    except (ValueError, KeyError, TypeError) as error:
        print(f"FAILED: malformed bundle: {error!r}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
