// The browser's ballot code (static/bastau/e2e/ballot.js) under Node: formats, strict decoding,
// proofs, ballots, signatures and audits. Run with `node --test tests/js` (make test runs it
// through tests/primaries/test_e2e_js.py).
//
// Hashes are rechecked here with node:crypto and BigInt arithmetic (public test values only),
// which share nothing with the libsodium calls ballot.js makes.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { load, hex, unhex } from "./helpers.mjs";

const { sodium, e2e } = await load();
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function leToBig(b) {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

function bigToLe(v, n = 32) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

function frameIndependently(tag, items) {
  const parts = [];
  for (const x of [tag, ...items]) {
    const b = typeof x === "string" ? Buffer.from(x, "utf8") : typeof x === "number" ? u64(x) : Buffer.from(x);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  }
  return Buffer.concat(parts);
}

function u64(n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

const phi = e2e.Hd("election", new TextEncoder().encode("manifest bytes for tests"));

const UUID = "6f1d0c2e-9a43-4b7e-8f25-3c1e0d9b7a51";

function credKey(label) {
  return e2e.credentialKey(UUID, e2e.formatCredential(e2e.testRng("credentials", label).bytes(16)));
}

function keyPair(seed) {
  const y = e2e.testRng(seed, "election-key").scalar();
  return { y, Y: sodium.crypto_scalarmult_ristretto255_base(y) };
}

// ------------------------------------------------------------------ framing and hashes

test("enc, Hd and Hs follow the framing, checked with node:crypto", () => {
  assert.equal(hex(e2e.enc("ab")), "000000026162");
  assert.equal(hex(e2e.enc(new Uint8Array(0))), "00000000");
  assert.equal(hex(e2e.enc(5)), "000000080000000000000005");
  const items = [new Uint8Array([1, 2, 3]), "қазақ", 7];
  const framed = frameIndependently("bastau/v1/tracker", items);
  assert.equal(hex(e2e.Hd("tracker", ...items)), createHash("sha256").update(framed).digest("hex"));
  const wide = leToBig(createHash("sha512").update(framed).digest());
  assert.equal(hex(e2e.Hs("tracker", ...items)), hex(bigToLe(wide % L)));
});

test("strings that are not valid Unicode are refused, not replaced", () => {
  assert.throws(() => e2e.Hd("tracker", "\ud800"), /not valid Unicode/);
});

test("integers are u64 big-endian, and out-of-range ones are refused", () => {
  assert.equal(hex(e2e.u64be(2 ** 53 - 1)), "001fffffffffffff");
  assert.equal(hex(e2e.u64be(18446744073709551615n)), "ffffffffffffffff");
  assert.throws(() => e2e.u64be(-1));
  assert.throws(() => e2e.u64be(1.5));
  assert.throws(() => e2e.u64be(2 ** 64));
});

test("the seeded test RNG is Hs(bastau/test/rng, seed, label, counter)", () => {
  const seed = new Uint8Array(32).fill(7);
  const rng = e2e.testRng(seed, "label");
  for (let k = 0; k < 3; k++) {
    const framed = frameIndependently("bastau/test/rng", [seed, "label", k]);
    const want = bigToLe(leToBig(createHash("sha512").update(framed).digest()) % L);
    assert.equal(hex(rng.scalar()), hex(want));
  }
  const framed = frameIndependently("bastau/test/rng", [seed, "label", 3]);
  const want = bigToLe(leToBig(createHash("sha512").update(framed).digest()) % L);
  assert.equal(hex(rng.bytes(16)), hex(want.slice(0, 16)));
});

// ------------------------------------------------------------------ base64url

test("base64url is unpadded and decoded strictly", () => {
  assert.equal(e2e.b64e(new Uint8Array([0xfb, 0xff])), "-_8");
  assert.deepEqual([...e2e.b64d("-_8")], [0xfb, 0xff]);
  for (const bad of ["-_8=", "+/8", "-_9", "A", "AB", "AAA ", "AA\n", "ÄA", "AAB"]) {
    assert.throws(() => e2e.b64d(bad), /base64url/, bad);
  }
  assert.deepEqual([...e2e.b64d("")], []);
});

// ------------------------------------------------------------------ RFC 9496 and strict decoding

// RFC 9496, A.1: encodings of 0*B .. 15*B (0 is the identity).
const MULTIPLES = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
  "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
  "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
  "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
  "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
  "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
  "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
  "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
  "02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
  "20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
  "bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
  "e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
  "aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
  "46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
  "e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
];

// RFC 9496, A.2: invalid encodings (non-canonical, negative, non-square, negative xy, s = -1).
const BAD_ENCODINGS = [
  "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "0100000000000000000000000000000000000000000000000000000000000080",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
  "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
  "c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
  "47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
  "f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
  "87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
  "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
  "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
  "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
  "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
  "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
  "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
  "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
  "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
  "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
  "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
  "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
  "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
  "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
  "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
  "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
  "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

// RFC 9496, A.3: the one-way map on 64-byte inputs.
const FROM_HASH = [
  [
    "5d1be09e3d0c82fc538112490e35701979d99e06ca3e2b5b54bffe8b4dc772c14d98b696a1bbfb5ca32c436cc61c16563790306c79eaca7705668b47dffe5bb6",
    "3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46",
  ],
  [
    "f116b34b8f17ceb56e8732a60d913dd10cce47a6d53bee9204be8b44f6678b270102a56902e2488c46120e9276cfe54638286b9e4b3cdb470b542d46c2068d38",
    "f26e5b6f7d362d2d2a94c5d0e7602cb4773c95a2e5c31a64f133189fa76ed61b",
  ],
  [
    "8422e1bbdaab52938b81fd602effb6f89110e1e57208ad12d9ad767e2e25510c27140775f9337088b982d83d7fcf0b2fa1edffe51952cbe7365e95c86eaf325c",
    "006ccd2a9e6867e6a2c5cea83d3302cc9de128dd2a9a57dd8ee7b9d7ffe02826",
  ],
];

test("RFC 9496 A.1: small multiples of the generator", () => {
  assert.equal(hex(e2e.G), MULTIPLES[1]);
  for (let i = 1; i < MULTIPLES.length; i++) {
    assert.equal(hex(sodium.crypto_scalarmult_ristretto255_base(e2e.scalarFromInt(i))), MULTIPLES[i], `${i}B`);
    assert.equal(hex(e2e.decodePoint(unhex(MULTIPLES[i]))), MULTIPLES[i]);
  }
});

test("RFC 9496 A.2: every invalid encoding is refused", () => {
  for (const h of BAD_ENCODINGS) assert.throws(() => e2e.decodePoint(unhex(h), "P"), /P: /, h);
});

test("RFC 9496 A.3: the one-way map", () => {
  for (const [input, output] of FROM_HASH) {
    assert.equal(hex(sodium.crypto_core_ristretto255_from_hash(unhex(input))), output);
  }
});

test("points: bit 255, wrong length and the identity are refused explicitly", () => {
  const G = unhex(MULTIPLES[1]);
  const high = G.slice();
  high[31] |= 0x80;
  assert.throws(() => e2e.decodePoint(high, "Y"), /Y: point has bit 255 set/);
  assert.throws(() => e2e.decodePoint(G.slice(0, 31), "Y"), /32 bytes/);
  assert.throws(() => e2e.decodePoint(new Uint8Array(33), "Y"), /32 bytes/);
  assert.throws(() => e2e.decodePoint(new Uint8Array(32), "Y"), /identity/);
  assert.equal(hex(e2e.decodePoint(new Uint8Array(32), "result", true)), MULTIPLES[0]);
});

test("scalars: below l only, and bit 255 is not ignored", () => {
  const lMinus1 = bigToLe(L - 1n);
  assert.equal(hex(e2e.decodeScalar(lMinus1)), hex(lMinus1));
  assert.throws(() => e2e.decodeScalar(bigToLe(L)), /not below l/);
  assert.throws(() => e2e.decodeScalar(bigToLe(L + 1n)), /not below l/);
  assert.throws(() => e2e.decodeScalar(bigToLe(2n ** 255n + 1n)), /not below l/);
  assert.throws(() => e2e.decodeScalar(new Uint8Array(31)), /32 bytes/);
  assert.equal(hex(e2e.decodeScalar(new Uint8Array(32))), "00".repeat(32));
});

// ------------------------------------------------------------------ credentials

test("credential c -> x = Hs(credential, uuid, c) -> X = xG", () => {
  const value = unhex("4d6b726c45204e52068f35f6178c726b");
  const text = e2e.formatCredential(value);
  assert.equal(text.length, 28);
  assert.equal(hex(e2e.parseCredential(text)), hex(value));
  const { x, X } = e2e.credentialKey(UUID, text);
  const framed = frameIndependently("bastau/v1/credential", [unhex(UUID.replaceAll("-", "")), value]);
  const want = bigToLe(leToBig(createHash("sha512").update(framed).digest()) % L);
  assert.equal(hex(x), hex(want));
  assert.equal(hex(X), hex(sodium.crypto_scalarmult_ristretto255_base(want)));
  // The check value, recomputed with BigInt on this public test value.
  const n = BigInt("0x" + hex(value));
  assert.equal((n * 1024n + BigInt(e2e.parseCredential(text).length && checkOf(text))) % 1021n, 0n);
});

function checkOf(text) {
  const A = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  return A.indexOf(text[26]) * 32 + A.indexOf(text[27]);
}

test("credentials: forgiving reading, and every typo or swap is caught", () => {
  const rng = e2e.testRng("credentials", "typos");
  for (let round = 0; round < 20; round++) {
    const value = rng.bytes(16);
    const text = e2e.formatCredential(value);
    assert.match(text, /^[0-7][0-9A-HJKMNP-TV-Z]{27}$/);
    const spaced = text.toLowerCase().replace(/(.{4})/g, "$1-").replace(/-$/, "");
    assert.equal(hex(e2e.parseCredential(spaced)), hex(value));
    for (let i = 0; i < 28; i++) {
      const ch = text[i] === "0" ? "1" : "0";
      const typo = text.slice(0, i) + ch + text.slice(i + 1);
      if (i === 0 && ch > "7") continue;
      assert.throws(() => e2e.parseCredential(typo), /credential|check/, `typo at ${i}`);
      if (i < 27 && text[i] !== text[i + 1]) {
        const swap = text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
        assert.throws(() => e2e.parseCredential(swap), /credential|check/, `swap at ${i}`);
      }
    }
  }
  assert.throws(() => e2e.parseCredential("U".repeat(28)), /not a credential character/);
  assert.throws(() => e2e.parseCredential("0".repeat(27)), /28 characters/);
  assert.equal(hex(e2e.parseCredential("O".repeat(28))), "00".repeat(16));
});

// ------------------------------------------------------------------ range proofs

function encrypt(Y, m, r) {
  const alpha = sodium.crypto_scalarmult_ristretto255_base(r);
  let beta = sodium.crypto_scalarmult_ristretto255(r, Y);
  if (m > 0) beta = sodium.crypto_core_ristretto255_add(beta, sodium.crypto_scalarmult_ristretto255_base(e2e.scalarFromInt(m)));
  return { alpha, beta };
}

test("0/1 proofs: both values prove and verify; the proof is 224 bytes", () => {
  const { Y } = keyPair("bits");
  const rng = e2e.testRng("bits", "proofs");
  const X = credKey("C").X;
  for (const m of [0, 1]) {
    const r = rng.scalar();
    const { alpha, beta } = encrypt(Y, m, r);
    const challenge = e2e.bitChallenge(phi, "q", X, 3, Y, alpha, beta);
    const proof = e2e.proveRange({ Y, r, m, lo: 0, hi: 1, challenge, rng });
    assert.equal(proof.length, 224);
    assert.equal(e2e.verifyRange({ Y, alpha, beta, proof, lo: 0, hi: 1, challenge, where: "p" }), true);
  }
});

test("sum proofs over [k_min, k_max] prove and verify for every value", () => {
  const { Y } = keyPair("sums");
  const rng = e2e.testRng("sums", "proofs");
  const X = credKey("C").X;
  for (const [lo, hi] of [
    [0, 2],
    [1, 3],
    [2, 2],
  ]) {
    for (let m = lo; m <= hi; m++) {
      const r = rng.scalar();
      const { alpha, beta } = encrypt(Y, m, r);
      const challenge = e2e.sumChallenge(phi, "q", X, 4, lo, hi, Y, alpha, beta);
      const proof = e2e.proveRange({ Y, r, m, lo, hi, challenge, rng });
      assert.equal(proof.length, 128 * (hi - lo + 1) - 32);
      assert.ok(e2e.verifyRange({ Y, alpha, beta, proof, lo, hi, challenge, where: "s" }));
    }
  }
});

test("a 0/1 proof fails for 2G, for any changed byte, and in any other statement", () => {
  const { Y } = keyPair("neg");
  const rng = e2e.testRng("neg", "proofs");
  const X = credKey("C").X;
  const X2 = credKey("D").X;
  // 2G with the branches simulated as if it were 1: never verifies.
  const r2 = rng.scalar();
  const two = encrypt(Y, 2, r2);
  const ch2 = e2e.bitChallenge(phi, "q", X, 0, Y, two.alpha, two.beta);
  const forged = e2e.proveRange({ Y, r: r2, m: 1, lo: 0, hi: 1, challenge: ch2, rng });
  assert.throws(() => e2e.verifyRange({ Y, ...two, proof: forged, lo: 0, hi: 1, challenge: ch2, where: "p" }), /equation/);

  const r = rng.scalar();
  const ct = encrypt(Y, 1, r);
  const challenge = e2e.bitChallenge(phi, "q", X, 0, Y, ct.alpha, ct.beta);
  const proof = e2e.proveRange({ Y, r, m: 1, lo: 0, hi: 1, challenge, rng });
  const ok = (p, c = challenge, a = ct.alpha, b = ct.beta, y = Y) =>
    e2e.verifyRange({ Y: y, alpha: a, beta: b, proof: p, lo: 0, hi: 1, challenge: c, where: "p" });
  assert.ok(ok(proof));
  for (let i = 0; i < proof.length; i++) {
    const bad = proof.slice();
    bad[i] ^= 1 << i % 8;
    assert.throws(() => ok(bad), /p[ :]/, `byte ${i}`);
  }
  // v + l: same value mod l, refused as a non-canonical scalar.
  const big = proof.slice();
  const v0 = leToBig(big.subarray(160, 192)) + L;
  big.set(bigToLe(v0), 160);
  assert.throws(() => ok(big), /not below l/);
  // Moved to another credential, index, question, election; or another ciphertext or key.
  const other = [
    e2e.bitChallenge(phi, "q", X2, 0, Y, ct.alpha, ct.beta),
    e2e.bitChallenge(phi, "q", X, 1, Y, ct.alpha, ct.beta),
    e2e.bitChallenge(phi, "q2", X, 0, Y, ct.alpha, ct.beta),
    e2e.bitChallenge(e2e.Hd("election", new Uint8Array([9])), "q", X, 0, Y, ct.alpha, ct.beta),
  ];
  for (const c of other) assert.throws(() => ok(proof, c), /equation/);
  const ct2 = encrypt(Y, 1, rng.scalar());
  assert.throws(() => ok(proof, e2e.bitChallenge(phi, "q", X, 0, Y, ct2.alpha, ct2.beta), ct2.alpha, ct2.beta), /equation/);
  const Y2 = keyPair("other").Y;
  assert.throws(() => ok(proof, e2e.bitChallenge(phi, "q", X, 0, Y2, ct.alpha, ct.beta), ct.alpha, ct.beta, Y2), /equation/);
});

test("a valid proof whose simulated response is zero verifies (zero-safe, as in Python)", () => {
  // Prove m = 1 by hand with v_0 = 0 on the simulated branch: A_0 = c_0 alpha, B_0 = c_0 beta.
  const { Y } = keyPair("zero");
  const rng = e2e.testRng("zero", "proofs");
  const X = credKey("C").X;
  const r = rng.scalar();
  const { alpha, beta } = encrypt(Y, 1, r);
  const c0 = rng.scalar();
  const w = rng.scalar();
  const A0 = sodium.crypto_scalarmult_ristretto255(c0, alpha);
  const B0 = sodium.crypto_scalarmult_ristretto255(c0, beta);
  const A1 = sodium.crypto_scalarmult_ristretto255_base(w);
  const B1 = sodium.crypto_scalarmult_ristretto255(w, Y);
  const challenge = e2e.bitChallenge(phi, "q", X, 0, Y, alpha, beta);
  const c = challenge([A0, B0, A1, B1]);
  const c1 = sodium.crypto_core_ristretto255_scalar_sub(c, c0);
  const v1 = sodium.crypto_core_ristretto255_scalar_sub(w, sodium.crypto_core_ristretto255_scalar_mul(c1, r));
  const proof = e2e.concat([A0, B0, A1, B1, c0, new Uint8Array(32), v1]);
  assert.ok(e2e.verifyRange({ Y, alpha, beta, proof, lo: 0, hi: 1, challenge, where: "p" }));
});

// ------------------------------------------------------------------ ballots

const QUESTIONS = [
  { id: "list", n: 4, kmin: 0, kmax: 2 },
  { id: "all", n: 3, kmin: 0, kmax: 3 },
];

function seededBallot(label = "ballot") {
  const { y, Y } = keyPair("ballots");
  const { x, X } = credKey("VOTER");
  const rng = e2e.testRng("ballots", label);
  const made = e2e.encryptBallot({ phi, Y, questions: QUESTIONS, X, choices: [[1, 0, 1, 0], [0, 1, 1]], rng });
  const ballot = e2e.castBallot({ body: made.body, T: made.T, phi, x, X, rng });
  return { y, Y, x, X, made, ballot };
}

test("a ballot has the documented size, verifies, and its tracker is Hd(tracker, body)", () => {
  const { Y, made, ballot, X } = seededBallot();
  // 8 + 32 + 32 + 4*64 + 4*224 + (128*3 - 32) + 3*64 + 3*224 (no sum proof: k 0..n) + 64
  assert.equal(made.body.length, 72 + 256 + 896 + 352 + 192 + 672);
  assert.equal(ballot.length, made.body.length + 64);
  assert.equal(e2e.bodySize(QUESTIONS), made.body.length);
  const { T, X: X2 } = e2e.verifyBallot(ballot, { phi, Y, questions: QUESTIONS });
  assert.equal(hex(T), createHash("sha256").update(frameIndependently("bastau/v1/tracker", [made.body])).digest("hex"));
  assert.equal(hex(X2), hex(X));
  assert.equal(hex(ballot.subarray(0, 8)), "0000000000000001");
  assert.equal(hex(ballot.subarray(8, 40)), hex(phi));
  assert.equal(hex(ballot.subarray(40, 72)), hex(X));
});

test("the same seed gives the same bytes; fresh randomness gives other bytes", () => {
  assert.equal(hex(seededBallot().ballot), hex(seededBallot().ballot));
  assert.notEqual(hex(seededBallot("a").ballot), hex(seededBallot("b").ballot));
  const { Y, X, made } = seededBallot();
  const again = e2e.encryptBallot({ phi, Y, questions: QUESTIONS, X, choices: made.audit.m, rng: e2e.systemRng() });
  assert.notEqual(hex(again.body), hex(made.body));
  e2e.verifyBody(again.body, { phi, Y, questions: QUESTIONS });
});

test("decrypting a ballot with the election key gives the choices", () => {
  const { y, made, Y } = seededBallot();
  const parsed = e2e.verifyBody(made.body, { phi, Y, questions: QUESTIONS });
  const got = parsed.questions.map(({ cts }) =>
    cts.map(([alpha, beta]) => {
      const mG = sodium.crypto_core_ristretto255_sub(beta, sodium.crypto_scalarmult_ristretto255(y, alpha));
      return hex(mG) === MULTIPLES[0] ? 0 : hex(mG) === MULTIPLES[1] ? 1 : -1;
    }),
  );
  assert.deepEqual(got, made.audit.m);
});

test("every changed byte of a ballot is refused, naming the part", () => {
  const { Y, ballot } = seededBallot();
  const where = new Set();
  for (let i = 0; i < ballot.length; i += 7) {
    const bad = ballot.slice();
    bad[i] ^= 0x01;
    assert.throws(
      () => e2e.verifyBallot(bad, { phi, Y, questions: QUESTIONS }),
      (err) => err.name === "E2EError" && err.where !== "" && (where.add(err.where.split(" ")[0]), true),
      `byte ${i}`,
    );
  }
  for (const part of ["body", "X", "list", "all", "sigma"]) assert.ok(where.has(part), part);
  assert.throws(() => e2e.verifyBallot(ballot.subarray(1), { phi, Y, questions: QUESTIONS }), /wrong size/);
});

test("a ballot is refused under another election, key or question bounds", () => {
  const { Y, ballot } = seededBallot();
  const phi2 = e2e.Hd("election", new Uint8Array([2]));
  assert.throws(() => e2e.verifyBallot(ballot, { phi: phi2, Y, questions: QUESTIONS }), /phi does not match/);
  assert.throws(() => e2e.verifyBallot(ballot, { phi, Y: keyPair("x").Y, questions: QUESTIONS }), /equation/);
  const tighter = [{ ...QUESTIONS[0], kmax: 1 }, QUESTIONS[1]];
  assert.throws(() => e2e.verifyBallot(ballot, { phi, Y, questions: tighter }), /wrong size/);
  const shifted = [{ ...QUESTIONS[0], kmin: 1, kmax: 3 }, QUESTIONS[1]];
  assert.throws(() => e2e.verifyBallot(ballot, { phi, Y, questions: shifted }), /sum proof/);
});

test("over-selection and wrong choices cannot be encrypted", () => {
  const { Y, X } = seededBallot();
  const rng = e2e.testRng("x", "y");
  const enc = (choices) => e2e.encryptBallot({ phi, Y, questions: QUESTIONS, X, choices, rng });
  assert.throws(() => enc([[1, 1, 1, 0], [0, 0, 0]]), /outside \[k_min, k_max\]/);
  assert.throws(() => enc([[2, 0, 0, 0], [0, 0, 0]]), /0 or 1/);
  assert.throws(() => enc([[1, 0, 0], [0, 0, 0]]), /0 or 1/);
});

test("candidates swapped or a proof copied to another credential are refused", () => {
  const { Y, made } = seededBallot();
  const body = made.body;
  const swapped = body.slice();
  swapped.set(body.subarray(72, 136), 136);
  swapped.set(body.subarray(136, 200), 72);
  assert.throws(() => e2e.verifyBody(swapped, { phi, Y, questions: QUESTIONS }), /list bit proof 0/);
  const copied = body.slice();
  copied.set(credKey("OTHER").X, 40);
  assert.throws(() => e2e.verifyBody(copied, { phi, Y, questions: QUESTIONS }), /bit proof 0: equation/);
});

test("sigma: valid on its own tracker only, with its own credential", () => {
  const { x, X, made } = seededBallot();
  const rng = e2e.testRng("sig", "w");
  const sigma = e2e.signBallot({ phi, x, X, T: made.T, rng });
  assert.ok(e2e.verifySignature({ phi, X, T: made.T, sigma }));
  const T2 = e2e.Hd("tracker", new Uint8Array([1]));
  assert.throws(() => e2e.verifySignature({ phi, X, T: T2, sigma }), /does not verify/);
  const X2 = credKey("OTHER").X;
  assert.throws(() => e2e.verifySignature({ phi, X: X2, T: made.T, sigma }), /does not verify/);
  const big = sigma.slice();
  big.set(bigToLe(leToBig(sigma.subarray(32)) + L), 32);
  assert.throws(() => e2e.verifySignature({ phi, X, T: made.T, sigma: big }), /not below l/);
});

// ------------------------------------------------------------------ Benaloh audit

test("an audited ballot reveals r and m, and the checker reproduces it", () => {
  const { Y, made } = seededBallot();
  const record = JSON.parse(JSON.stringify(e2e.auditRecord(made)));
  assert.deepEqual(e2e.checkAudit(record, { phi, Y, questions: QUESTIONS }), [[1, 0, 1, 0], [0, 1, 1]]);
  const lie = structuredClone(record);
  lie.m[0] = [0, 1, 1, 0];
  assert.throws(() => e2e.checkAudit(lie, { phi, Y, questions: QUESTIONS }), /do not reproduce/);
  const wrongR = structuredClone(record);
  wrongR.r[1][2] = wrongR.r[1][1];
  assert.throws(() => e2e.checkAudit(wrongR, { phi, Y, questions: QUESTIONS }), /all: r\[2\]/);
  const extra = { ...structuredClone(record), elected: [1] };
  assert.throws(() => e2e.checkAudit(extra, { phi, Y, questions: QUESTIONS }), /fields must be exactly/);
  const missing = structuredClone(record);
  delete missing.m;
  assert.throws(() => e2e.checkAudit(missing, { phi, Y, questions: QUESTIONS }), /fields must be exactly/);
  const otherT = structuredClone(record);
  otherT.tracker = e2e.b64e(new Uint8Array(32));
  assert.throws(() => e2e.checkAudit(otherT, { phi, Y, questions: QUESTIONS }), /tracker is not the body's/);
});

// ------------------------------------------------------------------ more negative cases

test("k_max + 1 selections, proved over a shifted range of the same size, are refused", () => {
  const { Y, X, x } = seededBallot();
  const rng = e2e.testRng("ballots", "over");
  const wider = [{ id: "list", n: 4, kmin: 1, kmax: 3 }, QUESTIONS[1]];
  const made = e2e.encryptBallot({ phi, Y, questions: wider, X, choices: [[1, 1, 1, 0], [0, 0, 1]], rng });
  const ballot = e2e.castBallot({ body: made.body, T: made.T, phi, x, X, rng });
  assert.equal(e2e.bodySize(wider), e2e.bodySize(QUESTIONS));
  e2e.verifyBallot(ballot, { phi, Y, questions: wider });
  assert.throws(() => e2e.verifyBallot(ballot, { phi, Y, questions: QUESTIONS }), /list sum proof: equation/);
});

test("an identity alpha or beta, or X, is refused by name", () => {
  const { Y, ballot } = seededBallot();
  for (const [offset, name] of [
    [40, /E2EError: X: point is the identity/],
    [72, /E2EError: list alpha\[0\]: point is the identity/],
    [72 + 32, /E2EError: list beta\[0\]: point is the identity/],
  ]) {
    const bad = ballot.slice();
    bad.fill(0, offset, offset + 32);
    assert.throws(() => e2e.verifyBallot(bad, { phi, Y, questions: QUESTIONS }), name);
  }
});

test("fuzz: random corruptions only ever raise E2EError, never pass", () => {
  const { Y, ballot } = seededBallot();
  const rng = e2e.testRng("fuzz", "bytes");
  for (let round = 0; round < 300; round++) {
    const bad = ballot.slice();
    const noise = rng.bytes(32);
    const changes = 1 + (noise[0] % 4);
    for (let k = 0; k < changes; k++) {
      const at = ((noise[1 + 3 * k] << 16) | (noise[2 + 3 * k] << 8) | noise[3 + 3 * k]) % bad.length;
      bad[at] ^= noise[20 + k] || 1;
    }
    assert.throws(
      () => e2e.verifyBallot(bad, { phi, Y, questions: QUESTIONS }),
      (err) => err.name === "E2EError",
      `round ${round}`,
    );
  }
  const garbage = e2e.testRng("fuzz", "garbage");
  for (let round = 0; round < 50; round++) {
    const junk = e2e.concat(Array.from({ length: Math.ceil(ballot.length / 32) }, () => garbage.bytes(32))).slice(0, ballot.length);
    assert.throws(() => e2e.verifyBallot(junk, { phi, Y, questions: QUESTIONS }), (err) => err.name === "E2EError");
  }
});
