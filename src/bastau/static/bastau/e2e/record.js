// Bastau encrypted ballots: the record side a browser checks (Merkle paths, trustee keys,
// decryption shares, Lagrange combination, counts). Public values only; libsodium does all the
// arithmetic, with the zero-safe helpers of ballot.js's verifier side.
//
//     const e2e = bastauE2E(sodium);
//     const rec = bastauRecord(sodium, e2e);

import { E2EError } from "./ballot.js";

export function bastauRecord(sodium, e2e) {
  const S = sodium;
  const { Hd, Hs, equalBytes, decodePoint, decodeScalar, scalarFromInt, IDENTITY } = e2e;
  const isZero = (b) => b.every((x) => x === 0);
  const mulGz = (s) => (isZero(s) ? IDENTITY : S.crypto_scalarmult_ristretto255_base(s));
  const mulz = (s, P) => (isZero(s) || isZero(P) ? IDENTITY : S.crypto_scalarmult_ristretto255(s, P));
  const pAdd = (P, Q) => S.crypto_core_ristretto255_add(P, Q);
  const pSub = (P, Q) => S.crypto_core_ristretto255_sub(P, Q);

  // ------------------------------------------------------------ Merkle (RFC 6962 shape)

  const leafHash = (T, sigma) => Hd("leaf", T, sigma);
  const nodeHash = (l, r) => Hd("node", l, r);

  function split(n) {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  function merkleRoot(leaves) {
    if (leaves.length === 0) throw new E2EError("a Merkle tree needs at least one leaf");
    if (leaves.length === 1) return leaves[0];
    const k = split(leaves.length);
    return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
  }

  function inclusionPath(leaves, index) {
    if (!(index >= 0 && index < leaves.length)) throw new E2EError("leaf index outside the tree");
    if (leaves.length === 1) return [];
    const k = split(leaves.length);
    if (index < k) return [...inclusionPath(leaves.slice(0, k), index), merkleRoot(leaves.slice(k))];
    return [...inclusionPath(leaves.slice(k), index - k), merkleRoot(leaves.slice(0, k))];
  }

  // RFC 9162, 2.1.3.2.
  function verifyInclusion(leaf, index, size, path, root) {
    if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
    let fn = index;
    let sn = size - 1;
    let r = leaf;
    for (const p of path) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHash(p, r);
        if (fn % 2 === 0) {
          while (fn !== 0 && fn % 2 === 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && equalBytes(r, root);
  }

  // ------------------------------------------------------------ trustees and shares

  // f(x) for scalar coefficients a_0..a_(t-1), by Horner mod l.
  function evalPoly(coefs, x) {
    let acc = new Uint8Array(32);
    const xs = scalarFromInt(x);
    for (let i = coefs.length - 1; i >= 0; i--) {
      acc = S.crypto_core_ristretto255_scalar_add(S.crypto_core_ristretto255_scalar_mul(acc, xs), coefs[i]);
    }
    return acc;
  }

  // lambda_j = prod_{k != j} k / (k - j) mod l, for distinct indices >= 1.
  function lagrange(indices) {
    if (!Array.isArray(indices) || indices.length === 0) throw new E2EError("no shares");
    if (new Set(indices).size !== indices.length) throw new E2EError("a trustee index appears twice");
    if (!indices.every((j) => Number.isSafeInteger(j) && j >= 1)) throw new E2EError("trustee indices run from 1");
    const out = new Map();
    for (const j of indices) {
      let num = scalarFromInt(1);
      let den = scalarFromInt(1);
      for (const k of indices) {
        if (k === j) continue;
        num = S.crypto_core_ristretto255_scalar_mul(num, scalarFromInt(k));
        const diff = S.crypto_core_ristretto255_scalar_sub(scalarFromInt(k), scalarFromInt(j));
        den = S.crypto_core_ristretto255_scalar_mul(den, diff);
      }
      out.set(j, S.crypto_core_ristretto255_scalar_mul(num, S.crypto_core_ristretto255_scalar_invert(den)));
    }
    return out;
  }

  // The share of trustee j on a total's alpha A: a = zG + eK_j and b = zA + eD, with
  // e = Hs(decrypt, phi, j, K_j, A, D, a, b). Throws naming the share.
  function verifyShare({ phi, j, K, A, D, proof }) {
    const where = `share of trustee ${j}`;
    decodePoint(K, `${where} K`);
    decodePoint(D, `${where} D`);
    if (!(proof instanceof Uint8Array) || proof.length !== 96) throw new E2EError("proof must be 96 bytes", where);
    const a = decodePoint(proof.subarray(0, 32), `${where} a`);
    const b = decodePoint(proof.subarray(32, 64), `${where} b`);
    const z = decodeScalar(proof.subarray(64), `${where} z`);
    const e = Hs("decrypt", phi, j, K, A, D, a, b);
    if (!equalBytes(pAdd(mulGz(z), mulz(e, K)), a)) throw new E2EError("equation a fails", where);
    if (!equalBytes(pAdd(mulz(z, A), mulz(e, D)), b)) throw new E2EError("equation b fails", where);
    return true;
  }

  // B - sum lambda_j D_j (count*G, possibly the identity). shares: Map or object j -> D.
  function combine(B, shares) {
    const entries = shares instanceof Map ? [...shares] : Object.entries(shares).map(([j, D]) => [Number(j), D]);
    const lam = lagrange(entries.map(([j]) => j).sort((x, y) => x - y));
    let acc = B;
    for (const [j, D] of entries) acc = pSub(acc, mulz(lam.get(j), D));
    return acc;
  }

  // The RESULT check: one fixed-base multiplication, no discrete log.
  function checkCount(point, count, nMax) {
    return Number.isSafeInteger(count) && count >= 0 && count <= nMax && equalBytes(mulGz(scalarFromInt(count)), point);
  }

  return {
    leafHash,
    nodeHash,
    merkleRoot,
    inclusionPath,
    verifyInclusion,
    evalPoly,
    lagrange,
    verifyShare,
    combine,
    checkCount,
  };
}

export default bastauRecord;
