// Makes an encrypted ballot with the browser's code and fresh randomness, for the Python
// reference to verify (tests/primaries/test_e2e_js_python.py). Prints JSON, bytes as hex.
// Usage: node tests/js/make_ballot.mjs  (reads the election from the vectors file)

import { readFileSync } from "node:fs";

import { ROOT, hex, load, unhex } from "./helpers.mjs";

const { sodium, e2e } = await load();
const V = JSON.parse(readFileSync(process.env.BASTAU_E2E_VECTORS || `${ROOT}tests/vectors/e2e-v1.json`, "utf8"));
const rng = e2e.systemRng();
const Y = unhex(V.trustees.Y);
const phi = e2e.Hd("election", new TextEncoder().encode("bastau ballot made in the browser code"));
const questions = [
  { id: "list", n: 73, kmin: 0, kmax: 20 },
  { id: "second", n: 3, kmin: 1, kmax: 2 },
  { id: "open", n: 2, kmin: 0, kmax: 2 },
];
const choices = [
  Array.from({ length: 73 }, (_, i) => (i % 4 === 1 && i < 80 ? 1 : 0)),
  [0, 1, 1],
  [1, 0],
];
const credential = e2e.formatCredential(sodium.randombytes_buf(16));
const { x, X } = e2e.credentialKey(V.uuid, credential);
const audited = e2e.encryptBallot({ phi, Y, questions, X, choices, rng });
const made = e2e.encryptBallot({ phi, Y, questions, X, choices, rng });
const ballot = e2e.castBallot({ body: made.body, T: made.T, phi, x, X, rng });
console.log(
  JSON.stringify({
    uuid: V.uuid,
    election: { phi: hex(phi), Y: hex(Y), questions: questions.map((q) => ({ id: q.id, n: q.n, k_min: q.kmin, k_max: q.kmax })) },
    credential,
    X: hex(X),
    choices,
    ballot: hex(ballot),
    tracker: hex(made.T),
    audit: { body: hex(audited.body), tracker: hex(audited.T), randomness: audited.audit.r.map((q) => q.map(hex)) },
  }),
);
