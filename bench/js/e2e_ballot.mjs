// Encrypt-and-prove cost of a ballot in Node, with the browser's own code (static/bastau/e2e/
// ballot.js) on the vendored libsodium. Usage: node bench/js/e2e_ballot.mjs [n] [k_max] [runs]
// Prints JSON: libsodium's operation rates, per-proof costs and per-ballot costs (median of runs).

import { load } from "../../tests/js/helpers.mjs";

const [n = 73, kmax = 20, runs = 15] = process.argv.slice(2).map(Number);
const { sodium, e2e } = await load();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function rate(fn, ms = 400) {
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 100; i++) fn();
    count += 100;
  }
  return Math.round((count * 1000) / (performance.now() - t0));
}

const s = sodium.crypto_core_ristretto255_scalar_random();
const P = sodium.crypto_scalarmult_ristretto255_base(s);
const Q = sodium.crypto_scalarmult_ristretto255_base(sodium.crypto_core_ristretto255_scalar_random());
const rates = {
  fixed_base_per_s: rate(() => sodium.crypto_scalarmult_ristretto255_base(s)),
  variable_base_per_s: rate(() => sodium.crypto_scalarmult_ristretto255(s, P)),
  additions_per_s: rate(() => sodium.crypto_core_ristretto255_add(P, Q)),
};

const y = sodium.crypto_core_ristretto255_scalar_random();
const Y = sodium.crypto_scalarmult_ristretto255_base(y);
const phi = e2e.Hd("election", new Uint8Array([1]));
const { x, X } = e2e.credentialKey(new Uint8Array(16), e2e.formatCredential(sodium.randombytes_buf(16)));
const questions = [{ id: "list", n, kmin: 0, kmax }];
const choices = [Array.from({ length: n }, (_, i) => (i < kmax ? 1 : 0))];
const rng = e2e.systemRng();

// Per 0/1 proof, prove and verify (one ciphertext, m = 1).
const r = rng.scalar();
const alpha = sodium.crypto_scalarmult_ristretto255_base(r);
const beta = sodium.crypto_core_ristretto255_add(sodium.crypto_scalarmult_ristretto255(r, Y), e2e.G);
const challenge = e2e.bitChallenge(phi, "list", X, 0, Y, alpha, beta);
const proof = e2e.proveRange({ Y, r, m: 1, lo: 0, hi: 1, challenge, rng });
const perProof = (fn, k = 300) => {
  const t0 = performance.now();
  for (let i = 0; i < k; i++) fn();
  return (performance.now() - t0) / k;
};
perProof(() => e2e.proveRange({ Y, r, m: 1, lo: 0, hi: 1, challenge, rng }), 50); // warm-up
const bitProveMs = perProof(() => e2e.proveRange({ Y, r, m: 1, lo: 0, hi: 1, challenge, rng }));
const bitVerifyMs = perProof(() => e2e.verifyRange({ Y, alpha, beta, proof, lo: 0, hi: 1, challenge, where: "p" }));

const encryptMs = [];
const verifyMs = [];
let size = 0;
for (let i = 0; i < runs + 2; i++) {
  const t0 = performance.now();
  const made = e2e.encryptBallot({ phi, Y, questions, X, choices, rng });
  const ballot = e2e.castBallot({ body: made.body, T: made.T, phi, x, X, rng });
  const t1 = performance.now();
  e2e.verifyBallot(ballot, { phi, Y, questions });
  const t2 = performance.now();
  if (i >= 2) {
    encryptMs.push(t1 - t0);
    verifyMs.push(t2 - t1);
  }
  size = ballot.length;
}

console.log(
  JSON.stringify(
    {
      node: process.version,
      libsodium: sodium.SODIUM_VERSION_STRING,
      n,
      k_max: kmax,
      runs,
      rates,
      bit_proof_prove_ms: +bitProveMs.toFixed(3),
      bit_proof_verify_ms: +bitVerifyMs.toFixed(3),
      ballot_bytes: size,
      encrypt_prove_sign_ms_median: +median(encryptMs).toFixed(1),
      encrypt_prove_sign_ms_min: +Math.min(...encryptMs).toFixed(1),
      verify_ballot_ms_median: +median(verifyMs).toFixed(1),
    },
    null,
    1,
  ),
);
