// Loaded by bench/js/e2e_ballot_chromium.py in headless Chromium: the same measurement as
// e2e_ballot.mjs, in a browser. Writes its JSON result into <pre id="result">.
import sodium from "../../src/bastau/static/vendor/libsodium-sumo-0.8.4/libsodium-wrappers.mjs";
import { bastauE2E } from "../../src/bastau/static/bastau/e2e/ballot.js";

const t0 = performance.now();
await sodium.ready;
const loadMs = performance.now() - t0;
const e2e = bastauE2E(sodium);
const params = new URLSearchParams(location.search);
const n = Number(params.get("n") || 73);
const kmax = Number(params.get("kmax") || 20);
const runs = Number(params.get("runs") || 15);
const rng = e2e.systemRng();
const Y = sodium.crypto_scalarmult_ristretto255_base(sodium.crypto_core_ristretto255_scalar_random());
const phi = e2e.Hd("election", new Uint8Array([1]));
const { x, X } = e2e.credentialKey(new Uint8Array(16), e2e.formatCredential(sodium.randombytes_buf(16)));
const questions = [{ id: "list", n, kmin: 0, kmax }];
const choices = [Array.from({ length: n }, (_, i) => (i < kmax ? 1 : 0))];
const times = [];
const verifyTimes = [];
let size = 0;
for (let i = 0; i < runs + 2; i++) {
  const a = performance.now();
  const made = e2e.encryptBallot({ phi, Y, questions, X, choices, rng });
  const ballot = e2e.castBallot({ body: made.body, T: made.T, phi, x, X, rng });
  const b = performance.now();
  e2e.verifyBallot(ballot, { phi, Y, questions });
  const c = performance.now();
  if (i >= 2) {
    times.push(b - a);
    verifyTimes.push(c - b);
  }
  size = ballot.length;
}
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
document.getElementById("result").textContent = JSON.stringify({
  userAgent: navigator.userAgent,
  libsodium_load_ms: +loadMs.toFixed(1),
  n,
  k_max: kmax,
  runs,
  ballot_bytes: size,
  encrypt_prove_sign_ms_median: +median(times).toFixed(1),
  encrypt_prove_sign_ms_max: +Math.max(...times).toFixed(1),
  encrypt_prove_sign_ms_min: +Math.min(...times).toFixed(1),
  verify_ballot_ms_median: +median(verifyTimes).toFixed(1),
});
