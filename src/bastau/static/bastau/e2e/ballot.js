// Bastau encrypted ballots, the voter's side (docs/verification.md; design: E2E-BALLOTS v1).
//
// A plain ES module with no build step. It does no curve arithmetic of its own: every group and
// scalar operation is a libsodium call (libsodium-wrappers-sumo 0.8.4, vendored under
// static/vendor/libsodium-sumo-0.8.4/). The caller passes the ready libsodium object:
//
//     import sodium from "../../vendor/libsodium-sumo-0.8.4/libsodium-wrappers.mjs";
//     await sodium.ready;
//     const e2e = bastauE2E(sodium);
//
// Secrets (r, w, u, x, the credential) stay in Uint8Array scalars handled by libsodium, never in
// BigInt. Randomness comes only from libsodium's randombytes (systemRng); testRng is the seeded
// generator of the design's section 6 and is for known-answer vectors only.

const TAG_PREFIX = "bastau/v1/";
const TEST_RNG_TAG = "bastau/test/rng";
export const BALLOT_VERSION = 1;

// l = 2^252 + 27742317777372353535851937790883648493, little-endian.
const L_BYTES = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);

export class E2EError extends Error {
  constructor(message, where) {
    super(where ? `${where}: ${message}` : message);
    this.name = "E2EError";
    this.where = where || "";
  }
}

export function bastauE2E(sodium) {
  if (!sodium || typeof sodium.crypto_core_ristretto255_add !== "function") {
    throw new E2EError("libsodium (sumo) with ristretto255 is required");
  }
  const S = sodium;
  const B64 = S.base64_variants.URLSAFE_NO_PADDING;
  const ZERO32 = new Uint8Array(32);
  const IDENTITY = ZERO32;

  // ---------------------------------------------------------------- bytes and framing

  function concat(parts) {
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  function equalBytes(a, b) {
    if (a.length !== b.length) return false;
    let d = 0;
    for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
    return d === 0;
  }

  function isZero(a) {
    let d = 0;
    for (let i = 0; i < a.length; i++) d |= a[i];
    return d === 0;
  }

  function u32be(n) {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new E2EError("u32 out of range");
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, false);
    return b;
  }

  function u64be(n) {
    let v;
    if (typeof n === "bigint") v = n;
    else if (Number.isSafeInteger(n)) v = BigInt(n);
    else throw new E2EError("u64 must be a safe integer");
    if (v < 0n || v > 0xffffffffffffffffn) throw new E2EError("u64 out of range");
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, false);
    return b;
  }

  function utf8(s) {
    if (typeof s !== "string") throw new E2EError("string expected");
    if (!s.isWellFormed()) throw new E2EError("string is not valid Unicode");
    return new TextEncoder().encode(s);
  }

  // A hash item: bytes as they are, a string as UTF-8, an integer as u64be.
  function item(x) {
    if (x instanceof Uint8Array) return x;
    if (typeof x === "string") return utf8(x);
    if (typeof x === "number" || typeof x === "bigint") return u64be(x);
    throw new E2EError(`cannot frame a ${typeof x}`);
  }

  // enc(x) = u32be(len x) || x
  function enc(x) {
    const b = item(x);
    return concat([u32be(b.length), b]);
  }

  function frame(tag, items) {
    return concat([enc(tag), ...items.map(enc)]);
  }

  // Hd(tag, x1...) = SHA-256(enc("bastau/v1/" tag) || enc(x1) || ...)
  function Hd(tag, ...items) {
    return S.crypto_hash_sha256(frame(TAG_PREFIX + tag, items));
  }

  function HsRaw(fullTag, items) {
    return S.crypto_core_ristretto255_scalar_reduce(S.crypto_hash_sha512(frame(fullTag, items)));
  }

  // Hs(tag, ...) = SHA-512 of the same framing, reduced mod l.
  function Hs(tag, ...items) {
    return HsRaw(TAG_PREFIX + tag, items);
  }

  // ---------------------------------------------------------------- base64url (strict)

  function b64e(bytes) {
    return S.to_base64(bytes, B64);
  }

  function b64d(text, where) {
    if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
      throw new E2EError("not base64url without padding", where);
    }
    let bytes;
    try {
      bytes = text.length === 0 ? new Uint8Array(0) : S.from_base64(text, B64);
    } catch {
      throw new E2EError("not base64url without padding", where);
    }
    if (b64e(bytes) !== text) throw new E2EError("non-canonical base64url", where);
    return bytes;
  }

  // ---------------------------------------------------------------- scalars and points

  // Strictly less than l, compared from the most significant byte.
  function scalarIsCanonical(s) {
    for (let i = 31; i >= 0; i--) {
      if (s[i] < L_BYTES[i]) return true;
      if (s[i] > L_BYTES[i]) return false;
    }
    return false; // equal to l
  }

  function decodeScalar(b, where) {
    if (!(b instanceof Uint8Array) || b.length !== 32) throw new E2EError("scalar must be 32 bytes", where);
    if (!scalarIsCanonical(b)) throw new E2EError("scalar not below l", where);
    return b;
  }

  // Strict point decoding (pitfalls 5 and 6): length, bit 255, libsodium's own check, and the
  // identity only where the caller allows it.
  function decodePoint(b, where, allowIdentity = false) {
    if (!(b instanceof Uint8Array) || b.length !== 32) throw new E2EError("point must be 32 bytes", where);
    if (b[31] & 0x80) throw new E2EError("point has bit 255 set", where);
    if (!S.crypto_core_ristretto255_is_valid_point(b)) throw new E2EError("not a canonical ristretto255 point", where);
    if (!allowIdentity && isZero(b)) throw new E2EError("point is the identity", where);
    return b;
  }

  function scalarFromInt(n) {
    if (!Number.isSafeInteger(n) || n < 0) throw new E2EError("small non-negative integer expected");
    const s = new Uint8Array(32);
    let v = n;
    for (let i = 0; i < 8 && v > 0; i++) {
      s[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return s;
  }

  const ONE = scalarFromInt(1);
  const G = S.crypto_scalarmult_ristretto255_base(ONE);

  const sAdd = (a, b) => S.crypto_core_ristretto255_scalar_add(a, b);
  const sSub = (a, b) => S.crypto_core_ristretto255_scalar_sub(a, b);
  const sMul = (a, b) => S.crypto_core_ristretto255_scalar_mul(a, b);
  const pAdd = (P, Q) => S.crypto_core_ristretto255_add(P, Q);
  const pSub = (P, Q) => S.crypto_core_ristretto255_sub(P, Q);
  // Prover side: the scalars are fresh random values, never zero in practice; libsodium throws
  // on a zero scalar or identity result, and the throw aborts the ballot.
  const mulG = (s) => S.crypto_scalarmult_ristretto255_base(s);
  const mul = (s, P) => S.crypto_scalarmult_ristretto255(s, P);
  // Verifier side: the scalars and points are public and may legitimately be zero or the
  // identity (a simulated branch may choose v = 0); the result is then the identity.
  const mulGz = (s) => (isZero(s) ? IDENTITY : S.crypto_scalarmult_ristretto255_base(s));
  const mulz = (s, P) => (isZero(s) || isZero(P) ? IDENTITY : S.crypto_scalarmult_ristretto255(s, P));
  // j*G for a public small j (the values of a range), computed once each.
  const smallMultiples = new Map();
  function publicSmallG(j) {
    let P = smallMultiples.get(j);
    if (P === undefined) {
      P = mulGz(scalarFromInt(j));
      if (smallMultiples.size < 1024) smallMultiples.set(j, P);
    }
    return P;
  }
  // m*G for a secret small m (0 or more) without a zero-scalar branch: (m+1)G - G.
  const smallG = (m) => pSub(mulG(scalarFromInt(m + 1)), G);

  // ---------------------------------------------------------------- randomness

  // Production: libsodium's randombytes only. libsodium.js asks the platform CSPRNG for four
  // bytes at a time (about 2.4 us a byte under Node), so drawing each scalar with
  // crypto_core_ristretto255_scalar_random would cost about a third of a ballot's time. Instead
  // each refill draws a fresh 32-byte seed with randombytes_buf and expands it with libsodium's
  // randombytes_buf_deterministic (ChaCha20) into 256 blocks of 64 bytes; a scalar is one block
  // reduced mod l (crypto_core_ristretto255_scalar_reduce, bias below 2^-250). Every block is
  // used once, then zeroed; the seed is zeroed at once.
  const POOL_BLOCKS = 256;
  function systemRng() {
    let pool = new Uint8Array(0);
    let next = 0;
    function block() {
      if (next >= pool.length) {
        const seed = S.randombytes_buf(32);
        pool = S.randombytes_buf_deterministic(64 * POOL_BLOCKS, seed);
        seed.fill(0);
        next = 0;
      }
      const b = pool.slice(next, next + 64);
      pool.fill(0, next, next + 64);
      next += 64;
      return b;
    }
    return {
      scalar: () => {
        const wide = block();
        const s = S.crypto_core_ristretto255_scalar_reduce(wide);
        wide.fill(0);
        if (isZero(s)) throw new E2EError("randomness gave a zero scalar");
        return s;
      },
      bytes: (n) => S.randombytes_buf(n),
    };
  }

  // Tests only: r = Hs("bastau/test/rng", seed, label, counter), counter = 0, 1, 2, ... per
  // generator. bytes(n) (n <= 32) takes the first n bytes of the next such scalar.
  function testRng(seed, label) {
    let counter = 0;
    const seedBytes = item(seed);
    return {
      scalar: () => HsRaw(TEST_RNG_TAG, [seedBytes, label, counter++]),
      bytes: (n) => {
        if (n > 32) throw new E2EError("testRng gives at most 32 bytes at a time");
        return HsRaw(TEST_RNG_TAG, [seedBytes, label, counter++]).slice(0, n);
      },
      get counter() {
        return counter;
      },
    };
  }

  // ---------------------------------------------------------------- credentials
  //
  // A credential is a 128-bit value N written as 28 Crockford base-32 characters: 26 for N (most
  // significant first; 130 bits, so the first is 0-7) and 2 for the check value C = (-1024 N) mod
  // 1021, so that N*1024 + C is a multiple of the prime 1021 (every single-character change and
  // every swap of two adjacent different characters is caught). Reading accepts any case, O as 0,
  // I and L as 1, and ignores spaces and hyphens. x = Hs(credential, uuid bytes, N as 16 bytes
  // big-endian); X = xG. The value stays in bytes and small integers, never a BigInt.

  const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const CHECK_PRIME = 1021;

  function crockfordValue(ch) {
    if (ch === "O") return 0;
    if (ch === "I" || ch === "L") return 1;
    const v = CROCKFORD.indexOf(ch);
    return v;
  }

  function formatCredential(value) {
    if (!(value instanceof Uint8Array) || value.length !== 16) throw new E2EError("a credential is 16 bytes");
    // 2 zero bits, then the 128 bits of N, read 5 at a time.
    const digits = [];
    let acc = 0;
    let nbits = 2;
    let mod = 0;
    for (const byte of value) {
      mod = (mod * 256 + byte) % CHECK_PRIME;
      acc = (acc << 8) | byte;
      nbits += 8;
      while (nbits >= 5) {
        nbits -= 5;
        digits.push(CROCKFORD[(acc >> nbits) & 31]);
      }
      acc &= (1 << nbits) - 1;
    }
    const c = (CHECK_PRIME - ((mod * 1024) % CHECK_PRIME)) % CHECK_PRIME;
    return digits.join("") + CROCKFORD[c >> 5] + CROCKFORD[c & 31];
  }

  function parseCredential(text) {
    if (typeof text !== "string") throw new E2EError("a credential is text");
    const cleaned = text.replace(/[- ]/g, "").toUpperCase();
    if (cleaned.length !== 28) throw new E2EError("a credential has 28 characters");
    const vals = [];
    for (const ch of cleaned) {
      const v = crockfordValue(ch);
      if (v < 0) throw new E2EError("not a credential character");
      vals.push(v);
    }
    if (vals[0] > 7) throw new E2EError("not a credential (first character above 7)");
    let mod = 0;
    for (const v of vals) mod = (mod * 32 + v) % CHECK_PRIME;
    if (mod !== 0) throw new E2EError("the check characters do not match (a typing error?)");
    const value = new Uint8Array(16);
    let acc = 0;
    let nbits = -2; // drop the 2 leading zero bits of the 130
    let o = 0;
    for (let k = 0; k < 26; k++) {
      acc = ((acc << 5) | vals[k]) & 0x1fff;
      nbits += 5;
      if (nbits >= 8) {
        nbits -= 8;
        value[o++] = (acc >> nbits) & 0xff;
      }
    }
    return value;
  }

  function uuidBytes(uuid) {
    if (uuid instanceof Uint8Array && uuid.length === 16) return uuid;
    if (typeof uuid === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uuid)) {
      return S.from_hex(uuid.replace(/-/g, ""));
    }
    throw new E2EError("uuid must be 16 bytes or its lowercase text form");
  }

  // x = Hs(credential, uuid, N), X = x*G, from the typed credential.
  function credentialKey(uuid, credential) {
    const value = credential instanceof Uint8Array ? credential : parseCredential(credential);
    if (value.length !== 16) throw new E2EError("a credential is 16 bytes");
    const x = Hs("credential", uuidBytes(uuid), value);
    if (isZero(x)) throw new E2EError("credential gives a zero key");
    return { x, X: mulG(x) };
  }

  // ---------------------------------------------------------------- range proofs (sections 2, 3.3)
  //
  // Statement: (alpha, beta) encrypts some j in [lo, hi] under Y, i.e. for the true j there is r
  // with alpha = rG and beta - jG = rY. The batchable form keeps every commitment:
  //   A_lo||B_lo || ... || A_hi||B_hi || c_lo ... c_{hi-1} || v_lo ... v_hi
  // with c_hi = c - (c_lo + ... + c_{hi-1}), c = challenge(A_lo, B_lo, ..., A_hi, B_hi), and for
  // every j: A_j = v_j G + c_j alpha, B_j = v_j Y + c_j (beta - jG).

  function rangeProofSize(lo, hi) {
    return 128 * (hi - lo + 1) - 32;
  }

  // Draw order, for j = lo..hi in turn: the true j draws w; every other j draws c_j then u_j.
  // It is part of the test vectors.
  function proveRange({ Y, r, m, lo, hi, challenge, rng }) {
    const L = hi - lo + 1;
    if (!(L >= 1) || m < lo || m > hi) throw new E2EError("value outside the proved range");
    const A = new Array(L);
    const B = new Array(L);
    const c = new Array(L);
    const u = new Array(L);
    const kt = m - lo;
    let w = null;
    for (let k = 0; k < L; k++) {
      const j = lo + k;
      if (k === kt) {
        w = rng.scalar();
        A[k] = mulG(w);
        B[k] = mul(w, Y);
        continue;
      }
      c[k] = rng.scalar();
      u[k] = rng.scalar();
      A[k] = mulG(u[k]);
      // c_j (m - j) G, with m - j reduced mod l by libsodium.
      const d = sSub(scalarFromInt(m), scalarFromInt(j));
      B[k] = pAdd(mul(u[k], Y), mulG(sMul(c[k], d)));
    }
    const commitments = [];
    for (let k = 0; k < L; k++) commitments.push(A[k], B[k]);
    const ch = challenge(commitments);
    let rest = new Uint8Array(32);
    for (let k = 0; k < L; k++) if (k !== kt) rest = sAdd(rest, c[k]);
    c[kt] = sSub(ch, rest);
    const v = new Array(L);
    for (let k = 0; k < L; k++) {
      v[k] = k === kt ? sSub(w, sMul(c[k], r)) : sSub(u[k], sMul(c[k], r));
    }
    return concat([...commitments, ...c.slice(0, L - 1), ...v]);
  }

  function parseRange(proof, lo, hi, where) {
    const L = hi - lo + 1;
    if (!(proof instanceof Uint8Array) || proof.length !== rangeProofSize(lo, hi)) {
      throw new E2EError("range proof has the wrong length", where);
    }
    const A = [];
    const B = [];
    const c = [];
    const v = [];
    let o = 0;
    const take = () => proof.subarray(o, (o += 32));
    for (let k = 0; k < L; k++) {
      A.push(decodePoint(take(), `${where} A[${lo + k}]`));
      B.push(decodePoint(take(), `${where} B[${lo + k}]`));
    }
    for (let k = 0; k < L - 1; k++) c.push(decodeScalar(take(), `${where} c[${lo + k}]`));
    for (let k = 0; k < L; k++) v.push(decodeScalar(take(), `${where} v[${lo + k}]`));
    return { A, B, c, v };
  }

  // Throws E2EError naming the failing part; returns true only when every equation holds.
  function verifyRange({ Y, alpha, beta, proof, lo, hi, challenge, where }) {
    const L = hi - lo + 1;
    const { A, B, c, v } = parseRange(proof, lo, hi, where);
    const commitments = [];
    for (let k = 0; k < L; k++) commitments.push(A[k], B[k]);
    const ch = challenge(commitments);
    let rest = new Uint8Array(32);
    for (const ck of c) rest = sAdd(rest, ck);
    const cs = [...c, sSub(ch, rest)];
    for (let k = 0; k < L; k++) {
      const j = lo + k;
      const a = pAdd(mulGz(v[k]), mulz(cs[k], alpha));
      if (!equalBytes(a, A[k])) throw new E2EError(`equation A[${j}] fails`, where);
      const shifted = pSub(beta, publicSmallG(j));
      const b = pAdd(mulz(v[k], Y), mulz(cs[k], shifted));
      if (!equalBytes(b, B[k])) throw new E2EError(`equation B[${j}] fails`, where);
    }
    return true;
  }

  // Challenges. ctx = (phi, question id, X).
  function bitChallenge(phi, qid, X, i, Y, alpha, beta) {
    return (commitments) => Hs("bit", phi, qid, X, i, Y, alpha, beta, ...commitments);
  }

  function sumChallenge(phi, qid, X, n, kmin, kmax, Y, sumA, sumB) {
    return (commitments) => Hs("sum", phi, qid, X, n, kmin, kmax, Y, sumA, sumB, ...commitments);
  }

  // ---------------------------------------------------------------- ballots

  function checkQuestions(questions) {
    if (!Array.isArray(questions) || questions.length === 0) throw new E2EError("no questions");
    for (const q of questions) {
      const { id, n, kmin, kmax } = q;
      if (typeof id !== "string") throw new E2EError("question id must be a string");
      if (!(Number.isSafeInteger(n) && n >= 1)) throw new E2EError("question needs candidates", id);
      if (!(Number.isSafeInteger(kmin) && Number.isSafeInteger(kmax) && kmin >= 0 && kmin <= kmax && kmax <= n)) {
        throw new E2EError("needs 0 <= k_min <= k_max <= n", id);
      }
    }
  }

  const needsSumProof = (q) => !(q.kmin === 0 && q.kmax === q.n);

  function bodySize(questions) {
    let size = 8 + 32 + 32;
    for (const q of questions) {
      size += q.n * 64 + q.n * rangeProofSize(0, 1);
      if (needsSumProof(q)) size += rangeProofSize(q.kmin, q.kmax);
    }
    return size;
  }

  // Ballot body, in binary order: u64be(version) || phi || X || per question:
  //   alpha_1||beta_1 ... alpha_n||beta_n || bit proof 1 ... bit proof n || [sum proof]
  // Draw order: per question, r_1..r_n, then each bit proof in turn, then the sum proof.
  function encryptBallot({ phi, Y, questions, X, choices, rng }) {
    checkQuestions(questions);
    decodePoint(Y, "Y");
    decodePoint(X, "X");
    if (!(phi instanceof Uint8Array) || phi.length !== 32) throw new E2EError("phi must be 32 bytes");
    if (!Array.isArray(choices) || choices.length !== questions.length) throw new E2EError("one choice list per question");
    const parts = [u64be(BALLOT_VERSION), phi, X];
    const rs = [];
    questions.forEach((q, qi) => {
      const m = choices[qi];
      if (!Array.isArray(m) || m.length !== q.n || !m.every((b) => b === 0 || b === 1)) {
        throw new E2EError("choices must be n values of 0 or 1", q.id);
      }
      const M = m.reduce((a, b) => a + b, 0);
      if (M < q.kmin || M > q.kmax) throw new E2EError("number of choices outside [k_min, k_max]", q.id);
      const r = [];
      for (let i = 0; i < q.n; i++) r.push(rng.scalar());
      const cts = [];
      for (let i = 0; i < q.n; i++) {
        const alpha = mulG(r[i]);
        const beta = pAdd(mul(r[i], Y), smallG(m[i]));
        // Possible only if r*Y = -m*G: never with fresh randomness, and never emitted.
        if (isZero(beta)) throw new E2EError("this randomness gives an identity beta; encrypt again", q.id);
        cts.push([alpha, beta]);
      }
      const proofs = [];
      for (let i = 0; i < q.n; i++) {
        const [alpha, beta] = cts[i];
        proofs.push(
          proveRange({ Y, r: r[i], m: m[i], lo: 0, hi: 1, challenge: bitChallenge(phi, q.id, X, i, Y, alpha, beta), rng }),
        );
      }
      for (const [alpha, beta] of cts) parts.push(alpha, beta);
      parts.push(...proofs);
      if (needsSumProof(q)) {
        let R = new Uint8Array(32);
        for (const ri of r) R = sAdd(R, ri);
        const [sumA, sumB] = sumCiphertexts(cts);
        parts.push(
          proveRange({
            Y,
            r: R,
            m: M,
            lo: q.kmin,
            hi: q.kmax,
            challenge: sumChallenge(phi, q.id, X, q.n, q.kmin, q.kmax, Y, sumA, sumB),
            rng,
          }),
        );
      }
      rs.push(r);
    });
    const body = concat(parts);
    const T = tracker(body);
    return { body, T, audit: { r: rs, m: choices.map((m) => m.slice()) } };
  }

  function sumCiphertexts(cts) {
    let [sumA, sumB] = cts[0];
    for (let i = 1; i < cts.length; i++) {
      sumA = pAdd(sumA, cts[i][0]);
      sumB = pAdd(sumB, cts[i][1]);
    }
    return [sumA, sumB];
  }

  function tracker(body) {
    return Hd("tracker", body);
  }

  // Strict parse of a body against the manifest's questions; names the failing object.
  function parseBody(body, questions) {
    checkQuestions(questions);
    if (!(body instanceof Uint8Array) || body.length !== bodySize(questions)) {
      throw new E2EError("ballot body has the wrong size", "body");
    }
    let o = 0;
    const take = (n) => body.subarray(o, (o += n));
    if (!equalBytes(take(8), u64be(BALLOT_VERSION))) throw new E2EError("unknown ballot version", "body");
    const version = BALLOT_VERSION;
    const phi = take(32);
    const X = decodePoint(take(32), "X");
    const qs = questions.map((q) => {
      const cts = [];
      for (let i = 0; i < q.n; i++) {
        const alpha = decodePoint(take(32), `${q.id} alpha[${i}]`);
        const beta = decodePoint(take(32), `${q.id} beta[${i}]`);
        cts.push([alpha, beta]);
      }
      const bits = [];
      for (let i = 0; i < q.n; i++) bits.push(take(rangeProofSize(0, 1)));
      const sum = needsSumProof(q) ? take(rangeProofSize(q.kmin, q.kmax)) : null;
      return { q, cts, bits, sum };
    });
    return { version, phi, X, questions: qs };
  }

  // Checks a body's proofs (not sigma, not X in L). Throws E2EError naming the object.
  function verifyBody(body, { phi, Y, questions }) {
    decodePoint(Y, "Y");
    const parsed = parseBody(body, questions);
    if (!equalBytes(parsed.phi, phi)) throw new E2EError("phi does not match the election", "body");
    const X = parsed.X;
    for (const { q, cts, bits, sum } of parsed.questions) {
      for (let i = 0; i < q.n; i++) {
        const [alpha, beta] = cts[i];
        verifyRange({
          Y,
          alpha,
          beta,
          proof: bits[i],
          lo: 0,
          hi: 1,
          challenge: bitChallenge(phi, q.id, X, i, Y, alpha, beta),
          where: `${q.id} bit proof ${i}`,
        });
      }
      if (sum) {
        const [sumA, sumB] = sumCiphertexts(cts);
        verifyRange({
          Y,
          alpha: sumA,
          beta: sumB,
          proof: sum,
          lo: q.kmin,
          hi: q.kmax,
          challenge: sumChallenge(phi, q.id, X, q.n, q.kmin, q.kmax, Y, sumA, sumB),
          where: `${q.id} sum proof`,
        });
      }
    }
    return parsed;
  }

  // ---------------------------------------------------------------- sigma, the ballot signature

  // R_s = wG; c = Hs(ballot-sig, phi, X, R_s, T); s = w - c x; sigma = c || s.
  function signBallot({ phi, x, X, T, rng }) {
    const w = rng.scalar();
    const Rs = mulG(w);
    const c = Hs("ballot-sig", phi, X, Rs, T);
    const s = sSub(w, sMul(c, x));
    return concat([c, s]);
  }

  function verifySignature({ phi, X, T, sigma }) {
    if (!(sigma instanceof Uint8Array) || sigma.length !== 64) throw new E2EError("sigma must be 64 bytes", "sigma");
    const c = decodeScalar(sigma.subarray(0, 32), "sigma c");
    const s = decodeScalar(sigma.subarray(32), "sigma s");
    decodePoint(X, "X");
    const Rs = pAdd(mulGz(s), mulz(c, X));
    if (!equalBytes(Hs("ballot-sig", phi, X, Rs, T), c)) throw new E2EError("signature does not verify", "sigma");
    return true;
  }

  // A whole ballot (body || sigma): proofs, then sigma on T. Returns { T, X, parsed }.
  function verifyBallot(ballot, { phi, Y, questions }) {
    if (!(ballot instanceof Uint8Array) || ballot.length !== bodySize(questions) + 64) {
      throw new E2EError("ballot has the wrong size", "ballot");
    }
    const body = ballot.subarray(0, ballot.length - 64);
    const sigma = ballot.subarray(ballot.length - 64);
    const parsed = verifyBody(body, { phi, Y, questions });
    const T = tracker(body);
    verifySignature({ phi, X: parsed.X, T, sigma });
    return { T, X: parsed.X, parsed };
  }

  // Cast: body || sigma.
  function castBallot({ body, T, phi, x, X, rng }) {
    return concat([body, signBallot({ phi, x, X, T, rng })]);
  }

  // ---------------------------------------------------------------- Benaloh audit

  // What the voter reveals for an audited (never cast) ballot, as JSON-ready base64url.
  function auditRecord({ body, T, audit }) {
    return {
      version: BALLOT_VERSION,
      body: b64e(body),
      tracker: b64e(T),
      r: audit.r.map((rq) => rq.map(b64e)),
      m: audit.m.map((mq) => mq.slice()),
    };
  }

  // The checker: the revealed r and m reproduce every ciphertext, every proof verifies, and the
  // tracker is the body's. Returns the choices.
  function checkAudit(record, { phi, Y, questions }) {
    if (record === null || typeof record !== "object" || Array.isArray(record)) throw new E2EError("not an audit record", "audit");
    const keys = Object.keys(record).sort().join(",");
    if (keys !== "body,m,r,tracker,version") throw new E2EError(`fields must be exactly body, m, r, tracker, version (not ${keys})`, "audit");
    if (record.version !== BALLOT_VERSION) throw new E2EError("unknown audit version", "audit");
    const body = b64d(record.body, "audit body");
    const T = b64d(record.tracker, "audit tracker");
    if (!equalBytes(tracker(body), T)) throw new E2EError("tracker is not the body's", "audit tracker");
    const parsed = verifyBody(body, { phi, Y, questions });
    if (!Array.isArray(record.r) || !Array.isArray(record.m) || record.r.length !== questions.length || record.m.length !== questions.length) {
      throw new E2EError("one r and m list per question", "audit");
    }
    parsed.questions.forEach(({ q, cts }, qi) => {
      const rq = record.r[qi];
      const mq = record.m[qi];
      if (!Array.isArray(rq) || !Array.isArray(mq) || rq.length !== q.n || mq.length !== q.n) {
        throw new E2EError("r and m must have n entries", q.id);
      }
      for (let i = 0; i < q.n; i++) {
        if (mq[i] !== 0 && mq[i] !== 1) throw new E2EError(`m[${i}] must be 0 or 1`, q.id);
        const r = decodeScalar(b64d(rq[i], `${q.id} r[${i}]`), `${q.id} r[${i}]`);
        const alpha = mulGz(r);
        const beta = pAdd(mulz(r, Y), mulGz(scalarFromInt(mq[i])));
        if (!equalBytes(alpha, cts[i][0]) || !equalBytes(beta, cts[i][1])) {
          throw new E2EError(`r[${i}] and m[${i}] do not reproduce the ciphertext`, q.id);
        }
      }
      const M = mq.reduce((a, b) => a + b, 0);
      if (M < q.kmin || M > q.kmax) throw new E2EError("revealed choices outside [k_min, k_max]", q.id);
    });
    return record.m;
  }

  return {
    // bytes and hashing
    concat,
    equalBytes,
    u32be,
    u64be,
    utf8,
    enc,
    Hd,
    Hs,
    b64e,
    b64d,
    // group
    G,
    IDENTITY,
    decodeScalar,
    decodePoint,
    scalarIsCanonical,
    scalarFromInt,
    // randomness
    systemRng,
    testRng,
    // protocol
    formatCredential,
    parseCredential,
    uuidBytes,
    credentialKey,
    rangeProofSize,
    proveRange,
    verifyRange,
    bitChallenge,
    sumChallenge,
    bodySize,
    needsSumProof,
    encryptBallot,
    parseBody,
    verifyBody,
    tracker,
    signBallot,
    verifySignature,
    castBallot,
    verifyBallot,
    auditRecord,
    checkAudit,
  };
}

export default bastauE2E;
