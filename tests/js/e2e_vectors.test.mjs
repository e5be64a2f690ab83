// The known-answer vectors (tests/vectors/e2e-v1.json, made by the Python reference
// bastau.primaries.e2e.vectors) reproduced byte for byte by the browser's code, and the
// Python-made proofs, ballot and shares verified by it. See tests/vectors/README.md.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { bastauRecord } from "../../src/bastau/static/bastau/e2e/record.js";
import { ROOT, hex, load, unhex } from "./helpers.mjs";

const { sodium, e2e } = await load();
const rec = bastauRecord(sodium, e2e);
const V = JSON.parse(readFileSync(process.env.BASTAU_E2E_VECTORS || `${ROOT}tests/vectors/e2e-v1.json`, "utf8"));
const seed = unhex(V.seed);
const short = (tag) => {
  assert.ok(tag.startsWith("bastau/v1/"), tag);
  return tag.slice("bastau/v1/".length);
};

// A recorded generator: draws come from TestRng and must equal the vector's list, in order.
function replay(rngVector) {
  const rng = e2e.testRng(seed, rngVector.label);
  const draws = rngVector.draws;
  let k = 0;
  const check = (s) => {
    assert.ok(k < draws.length, `more draws than the vector's ${draws.length}`);
    assert.equal(hex(s), draws[k], `draw ${k} of ${rngVector.label}`);
    k++;
    return s;
  };
  return {
    scalar: () => check(rng.scalar()),
    bytes: (n) => check(rng.scalar()).slice(0, n),
    done: () => assert.equal(k, draws.length, `all ${draws.length} draws of ${rngVector.label} used`),
  };
}

test("vectors: version and the seeded test RNG", () => {
  assert.equal(V.version, "bastau/e2e-v1");
  const rng = replay(V.test_rng);
  for (let i = 0; i < 3; i++) rng.scalar();
  rng.done();
});

test("vectors: framing, Hd and Hs", () => {
  let checked = 0;
  for (const f of V.framing) {
    if ("enc_of" in f) {
      assert.equal(hex(e2e.enc(unhex(f.enc_of))), f.enc);
      continue;
    }
    const parts = f.parts.map(unhex);
    const framed = e2e.concat([e2e.enc(f.tag), ...parts.map((p) => e2e.enc(p))]);
    assert.equal(hex(framed), f.framed);
    assert.equal(hex(e2e.Hd(short(f.tag), ...parts)), f.Hd);
    assert.equal(hex(e2e.Hs(short(f.tag), ...parts)), f.Hs);
    checked++;
  }
  assert.ok(checked >= 3);
});

test("vectors: base64url, valid and invalid", () => {
  for (const { hex: h, text } of V.base64url.valid) {
    assert.equal(e2e.b64e(unhex(h)), text);
    assert.equal(hex(e2e.b64d(text)), h);
  }
  for (const text of V.base64url.invalid) assert.throws(() => e2e.b64d(text), /base64url/, JSON.stringify(text));
});

test("vectors: ristretto255 multiples, invalid points and invalid scalars", () => {
  assert.equal(V.ristretto255.l, "7237005577332262213973186563042994240857116359379907606001950938285454250989");
  V.ristretto255.multiples.forEach((h, k) => {
    if (k === 0) {
      assert.throws(() => e2e.decodePoint(unhex(h)), /identity/);
      assert.equal(hex(e2e.decodePoint(unhex(h), "id", true)), h);
    } else {
      assert.equal(hex(sodium.crypto_scalarmult_ristretto255_base(e2e.scalarFromInt(k))), h);
    }
  });
  assert.equal(V.ristretto255.invalid.length, 30);
  for (const h of V.ristretto255.invalid) assert.throws(() => e2e.decodePoint(unhex(h), "P"), /^E2EError|P: /, h);
  for (const h of V.ristretto255.invalid_scalars) assert.throws(() => e2e.decodeScalar(unhex(h)), /not below l/, h);
});

test("vectors: credential c -> x -> X, its forms and its typos", () => {
  const c = V.credential;
  const rng = replay(c.rng);
  const text = e2e.formatCredential(rng.bytes(16));
  rng.done();
  assert.equal(text, c.text);
  assert.equal(hex(e2e.parseCredential(c.text)), c.value);
  for (const form of c.accepted_forms) assert.equal(hex(e2e.parseCredential(form)), c.value);
  for (const bad of c.refused) assert.throws(() => e2e.parseCredential(bad), /credential|check/, bad);
  const { x, X } = e2e.credentialKey(V.uuid, c.text);
  assert.equal(hex(x), c.x);
  assert.equal(hex(X), c.X);
});

test("vectors: the trustees' dealing, Y and K_j", () => {
  const t = V.trustees;
  const rng = replay(t.rng);
  const coefs = [rng.scalar(), rng.scalar()];
  rng.done();
  assert.deepEqual(coefs.map(hex), t.coefficients);
  assert.equal(hex(sodium.crypto_scalarmult_ristretto255_base(coefs[0])), t.Y);
  for (const j of ["1", "2", "3"]) {
    const s = rec.evalPoly(coefs, Number(j));
    assert.equal(hex(s), t.secrets[j]);
    assert.equal(hex(sodium.crypto_scalarmult_ristretto255_base(s)), t.K[j]);
  }
});

test("vectors: phi and the encryption", () => {
  assert.equal(hex(e2e.Hd("election", new TextEncoder().encode("bastau e2e v1 vectors manifest"))), V.phi);
  const E = V.encryption;
  const r = unhex(E.r);
  assert.equal(hex(sodium.crypto_scalarmult_ristretto255_base(r)), E.alpha);
  const beta = sodium.crypto_core_ristretto255_add(sodium.crypto_scalarmult_ristretto255(r, unhex(E.Y)), e2e.G);
  assert.equal(hex(beta), E.beta);
});

test("vectors: the 0/1 proof, reproduced, verified, and refused elsewhere", () => {
  const B = V.bit_proof;
  const [phi, X, Y, alpha, beta] = [B.phi, B.X, B.Y, B.alpha, B.beta].map(unhex);
  const challenge = e2e.bitChallenge(phi, B.question, X, B.index, Y, alpha, beta);
  const rng = replay(B.rng);
  const proof = e2e.proveRange({ Y, r: unhex(B.r), m: B.m, lo: 0, hi: 1, challenge, rng });
  rng.done();
  assert.equal(hex(proof), B.proof);
  const verify = (p, c = challenge, a = alpha, b = beta) =>
    e2e.verifyRange({ Y, alpha: a, beta: b, proof: p, lo: 0, hi: 1, challenge: c, where: "bit" });
  assert.ok(verify(proof));
  const W = B.wrong_statements;
  assert.throws(() => verify(proof, e2e.bitChallenge(phi, B.question, X, W.index, Y, alpha, beta)), /equation/);
  assert.throws(() => verify(proof, e2e.bitChallenge(phi, W.question, X, B.index, Y, alpha, beta)), /equation/);
  // The same r with m = 2: beta' = beta + G.
  const beta2 = sodium.crypto_core_ristretto255_add(beta, e2e.G);
  assert.throws(() => verify(proof, e2e.bitChallenge(phi, B.question, X, B.index, Y, alpha, beta2), alpha, beta2), /equation/);
  assert.equal(W.m_encrypted_as, 2);
  const reasons = { "v0 + l": /not below l/, "A0 bit 255": /bit 255/, "c0 + 1": /equation/, short: /wrong length/ };
  assert.deepEqual(Object.keys(B.invalid_proofs).sort(), Object.keys(reasons).sort());
  for (const [name, h] of Object.entries(B.invalid_proofs)) assert.throws(() => verify(unhex(h)), reasons[name], name);
});

test("vectors: the sum proof, reproduced and verified", () => {
  const P = V.sum_proof;
  const [phi, X, Y] = [P.phi, P.X, P.Y].map(unhex);
  const rng = replay(P.rng);
  const rs = P.m.map(() => rng.scalar());
  assert.deepEqual(rs.map(hex), P.r);
  let R = new Uint8Array(32);
  for (const r of rs) R = sodium.crypto_core_ristretto255_scalar_add(R, r);
  assert.equal(hex(R), P.sum_r);
  const [sa, sb] = [unhex(P.sum_alpha), unhex(P.sum_beta)];
  const challenge = e2e.sumChallenge(phi, P.question, X, P.n, P.k_min, P.k_max, Y, sa, sb);
  const M = P.m.reduce((a, b) => a + b, 0);
  const proof = e2e.proveRange({ Y, r: R, m: M, lo: P.k_min, hi: P.k_max, challenge, rng });
  rng.done();
  assert.equal(hex(proof), P.proof);
  assert.ok(e2e.verifyRange({ Y, alpha: sa, beta: sb, proof, lo: P.k_min, hi: P.k_max, challenge, where: "sum" }));
  const other = e2e.sumChallenge(phi, P.question, X, P.n, P.k_min, P.k_max + 1, Y, sa, sb);
  assert.throws(() => e2e.verifyRange({ Y, alpha: sa, beta: sb, proof, lo: P.k_min, hi: P.k_max, challenge: other, where: "sum" }), /equation/);
});

function electionOf(E) {
  return {
    phi: unhex(E.phi),
    Y: unhex(E.Y),
    questions: E.questions.map((q) => ({ id: q.id, n: q.n, kmin: q.k_min, kmax: q.k_max })),
  };
}

test("vectors: the whole ballot, byte for byte, and its audit", () => {
  const Bv = V.ballot;
  const election = electionOf(Bv.election);
  const { x, X } = e2e.credentialKey(V.uuid, Bv.credential);
  assert.equal(hex(X), Bv.X);
  const rng = replay(Bv.rng);
  const made = e2e.encryptBallot({ ...election, X, choices: Bv.choices, rng });
  const ballot = e2e.castBallot({ body: made.body, T: made.T, phi: election.phi, x, X, rng });
  rng.done();
  assert.equal(hex(made.body), Bv.body);
  assert.equal(hex(made.T), Bv.tracker);
  assert.equal(hex(ballot.subarray(-64)), Bv.sigma);
  assert.equal(hex(ballot), Bv.ballot);
  assert.equal(ballot.length, Bv.size);
  assert.deepEqual(made.audit.r.map((q) => q.map(hex)), Bv.randomness);
  const { T } = e2e.verifyBallot(unhex(Bv.ballot), election);
  assert.equal(hex(T), Bv.tracker);
  const audit = {
    version: 1,
    body: e2e.b64e(unhex(Bv.body)),
    tracker: e2e.b64e(unhex(Bv.tracker)),
    r: Bv.randomness.map((q) => q.map((h) => e2e.b64e(unhex(h)))),
    m: Bv.choices,
  };
  assert.deepEqual(e2e.checkAudit(audit, election), Bv.choices);
});

test("vectors: Merkle leaves, roots and inclusion paths", () => {
  const M = V.merkle;
  const rng = replay(M.rng);
  const pairs = [];
  for (let i = 0; i < 5; i++) pairs.push([rng.scalar(), e2e.concat([rng.scalar(), rng.scalar()])]);
  rng.done();
  pairs.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])) || Buffer.compare(Buffer.from(a[1]), Buffer.from(b[1])));
  assert.deepEqual(
    pairs.map(([T, s]) => ({ T: hex(T), sigma: hex(s) })),
    M.entries,
  );
  const leaves = pairs.map(([T, s]) => rec.leafHash(T, s));
  assert.deepEqual(leaves.map(hex), M.leaves);
  for (let n = 1; n <= 5; n++) assert.equal(hex(rec.merkleRoot(leaves.slice(0, n))), M.roots[String(n)]);
  const root = unhex(M.roots["5"]);
  for (let i = 0; i < 5; i++) {
    const path = rec.inclusionPath(leaves, i);
    assert.deepEqual(path.map(hex), M.paths[i]);
    assert.ok(rec.verifyInclusion(leaves[i], i, 5, M.paths[i].map(unhex), root));
    assert.equal(rec.verifyInclusion(leaves[i], (i + 1) % 5, 5, M.paths[i].map(unhex), root), false);
    assert.equal(rec.verifyInclusion(leaves[(i + 1) % 5], i, 5, M.paths[i].map(unhex), root), false);
  }
});

test("vectors: Lagrange coefficients", () => {
  for (const { indices, lambda } of V.lagrange) {
    const got = rec.lagrange(indices);
    for (const j of indices) assert.equal(hex(got.get(j)), lambda[String(j)], `${indices} ${j}`);
  }
  assert.throws(() => rec.lagrange([1, 1]), /twice/);
  assert.throws(() => rec.lagrange([0, 1]), /from 1/);
});

test("vectors: decryption shares verify, combine to count*G, and a bad one is named", () => {
  const D = V.decryption;
  const K = V.trustees.K;
  const phi = unhex(V.phi);
  const A = unhex(D.A);
  const shares = new Map();
  for (const s of D.shares) {
    assert.ok(rec.verifyShare({ phi, j: s.j, K: unhex(K[String(s.j)]), A, D: unhex(s.D), proof: unhex(s.proof) }));
    shares.set(s.j, unhex(s.D));
  }
  const point = rec.combine(unhex(D.B), shares);
  assert.equal(hex(point), D.combined);
  assert.ok(rec.checkCount(point, D.count, D.n_max));
  assert.equal(rec.checkCount(point, D.count + 1, D.n_max), false);
  assert.equal(rec.checkCount(point, D.count, D.count - 1), false);
  const [first] = D.shares;
  const wrongD = sodium.crypto_core_ristretto255_add(unhex(first.D), e2e.G);
  assert.throws(
    () => rec.verifyShare({ phi, j: first.j, K: unhex(K[String(first.j)]), A, D: wrongD, proof: unhex(first.proof) }),
    /share of trustee 1: equation/,
  );
  assert.throws(
    () => rec.verifyShare({ phi, j: 2, K: unhex(K["2"]), A, D: unhex(first.D), proof: unhex(first.proof) }),
    /share of trustee 2: equation/,
  );
});
