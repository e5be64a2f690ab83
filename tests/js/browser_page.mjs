// Entry module of the page tests/e2e/test_e2e_ballot_browser.py opens in Chromium: it loads the
// vendored libsodium and ballot.js as a voting page would, reproduces the vectors' ballot from the
// seed, makes and verifies a fresh 73-candidate ballot, and writes a JSON report into #result.
import sodium from "/static/vendor/libsodium-sumo-0.8.4/libsodium-wrappers.mjs";
import { bastauE2E } from "/static/bastau/e2e/ballot.js";

const out = document.getElementById("result");
try {
  await sodium.ready;
  const e2e = bastauE2E(sodium);
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const V = await (await fetch("/vectors/e2e-v1.json")).json();
  const B = V.ballot;
  const election = {
    phi: sodium.from_hex(B.election.phi),
    Y: sodium.from_hex(B.election.Y),
    questions: B.election.questions.map((q) => ({ id: q.id, n: q.n, kmin: q.k_min, kmax: q.k_max })),
  };
  const { x, X } = e2e.credentialKey(V.uuid, B.credential);
  const rng = e2e.testRng(sodium.from_hex(V.seed), B.rng.label);
  const made = e2e.encryptBallot({ ...election, X, choices: B.choices, rng });
  const ballot = e2e.castBallot({ body: made.body, T: made.T, phi: election.phi, x, X, rng });

  const questions = [{ id: "list", n: 73, kmin: 0, kmax: 20 }];
  const choices = [Array.from({ length: 73 }, (_, i) => (i < 20 ? 1 : 0))];
  const fresh = e2e.systemRng();
  const t0 = performance.now();
  const big = e2e.encryptBallot({ ...election, questions, X, choices, rng: fresh });
  const cast = e2e.castBallot({ body: big.body, T: big.T, phi: election.phi, x, X, rng: fresh });
  const ms = performance.now() - t0;
  e2e.verifyBallot(cast, { ...election, questions });
  out.textContent = JSON.stringify({ vector_ballot_matches: hex(ballot) === B.ballot, ms, bytes: cast.length });
} catch (err) {
  out.textContent = JSON.stringify({ error: String(err) });
}
