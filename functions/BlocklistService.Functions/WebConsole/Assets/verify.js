// In-browser verification with WebCrypto only: the signed checkpoint (ECDSA P-256 over SHA-256, DER signature) against a
// pinned key id, and an RFC 6962 / RFC 9162 inclusion proof recomputed up to the signed root.

const encoder = new TextEncoder();

export function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text) {
  if (!/^([0-9a-f]{2})*$/.test(text)) throw new Error(`not lowercase hex: ${text.slice(0, 16)}…`);
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function fromBase64(text) {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function sha256(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) { joined.set(part, offset); offset += part.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ leaf bytes). */
export function leafHash(leafText) {
  return sha256(Uint8Array.of(0), encoder.encode(leafText));
}

/** RFC 6962 interior node: SHA-256(0x01 ‖ left ‖ right). */
function nodeHash(left, right) {
  return sha256(Uint8Array.of(1), left, right);
}

/** The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or null when the proof has the wrong shape. */
export async function rootFromInclusionProof(index, size, leaf, path) {
  if (index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** A DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs) as the 64-byte r‖s WebCrypto expects. */
export function derToRawSignature(der) {
  let at = 0;
  const expect = (tag) => { if (der[at++] !== tag) throw new Error('signature is not DER ECDSA-Sig-Value'); };
  const length = () => {
    let n = der[at++];
    if (n & 0x80) { const count = n & 0x7f; n = 0; for (let i = 0; i < count; i++) n = (n << 8) | der[at++]; }
    return n;
  };
  expect(0x30);
  length();
  const raw = new Uint8Array(64);
  for (const half of [0, 32]) {
    expect(0x02);
    let n = length();
    let start = at;
    at += n;
    while (n > 32 && der[start] === 0) { start++; n--; }
    if (n > 32) throw new Error('signature integer longer than 32 bytes');
    raw.set(der.subarray(start, start + n), half + 32 - n);
  }
  return raw;
}

function spkiFromPem(pem) {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  return fromBase64(body);
}

/**
 * Verifies the signed checkpoint against the pinned key id and an inclusion proof of one leaf up to its root.
 * Returns every step with its outcome; `ok` only when all passed. `tamper` flips one bit of the proof first, to show a
 * doctored proof failing.
 */
export async function verifyInclusion({ leafIndex, leafText, pinnedKeyId, fetchJson, tamper = false }) {
  const steps = [];
  const step = (ok, text) => { steps.push({ ok, text }); return ok; };
  const finish = (ok, summary) => ({ ok, steps, summary });

  const keySet = await fetchJson('/api/v1/keys');
  const key = keySet.keys.find((k) => k.keyId === pinnedKeyId);
  if (!step(Boolean(key), key ? `Found the pinned key ${pinnedKeyId} in the service's key set (sequence ${keySet.sequence}).`
    : `The service's key set does not contain the pinned key ${pinnedKeyId}.`)) return finish(false, 'Not verified: unknown key.');
  const spki = spkiFromPem(key.publicKeyPem);
  const spkiHash = hex(await sha256(spki));
  if (!step(spkiHash === pinnedKeyId, `SHA-256 of the key's SubjectPublicKeyInfo is ${spkiHash}${spkiHash === pinnedKeyId ? ', equal to the pinned key id' : ', NOT the pinned key id'}.`)) {
    return finish(false, 'Not verified: the served key is not the pinned key.');
  }
  const publicKey = await crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);

  const signed = await fetchJson('/api/v1/audit/log/checkpoint');
  const checkpointBytes = fromBase64(signed.checkpoint);
  const signatureOk = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, derToRawSignature(fromBase64(signed.signature)), checkpointBytes);
  const checkpoint = JSON.parse(new TextDecoder().decode(checkpointBytes));
  if (!step(signatureOk, signatureOk
    ? `The checkpoint's ECDSA P-256 / SHA-256 signature verifies with the pinned key: log size ${checkpoint.size}, root ${checkpoint.rootHash}, signed ${checkpoint.time}.`
    : 'The checkpoint signature does NOT verify with the pinned key.')) return finish(false, 'Not verified: bad checkpoint signature.');
  if (!step(checkpoint.keyId === pinnedKeyId, `The checkpoint names key ${checkpoint.keyId}.`)) return finish(false, 'Not verified: checkpoint signed under another key id.');

  const proof = await fetchJson(`/api/v1/audit/log/proofs/inclusion?index=${leafIndex}&size=${checkpoint.size}`);
  const leaf = await leafHash(leafText);
  step(hex(leaf) === proof.leafHash, `Leaf ${leafIndex}: SHA-256(0x00 ‖ its exact bytes) = ${hex(leaf)}${hex(leaf) === proof.leafHash ? ', as the proof states' : ', NOT what the proof states'}.`);
  const path = proof.auditPath.map(fromHex);
  if (tamper) {
    if (path.length > 0) path[0][0] ^= 1; else leaf[0] ^= 1;
    step(true, 'Tampered on purpose: flipped one bit of the first proof hash.');
  }
  const root = await rootFromInclusionProof(leafIndex, checkpoint.size, leaf, path);
  const rootOk = root !== null && hex(root) === checkpoint.rootHash;
  step(rootOk, root === null
    ? `The proof of ${path.length} hashes has the wrong shape for index ${leafIndex} in a tree of ${checkpoint.size}.`
    : `Recomputed the root from ${path.length} proof hashes (RFC 9162 §2.1.3.2): ${hex(root)}${rootOk ? ' equals the signed root' : ' does NOT equal the signed root'}.`);
  return rootOk
    ? finish(true, `Verified: leaf ${leafIndex} is in the transparency log of ${checkpoint.size} leaves whose root the pinned key ${pinnedKeyId} signed at ${checkpoint.time}.`)
    : finish(false, `Not verified: the inclusion proof of leaf ${leafIndex} does not lead to the signed root.`);
}
