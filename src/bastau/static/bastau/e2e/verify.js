// Bastau encrypted record `bastau-e2e/1`: the whole-record verifier a member runs in the browser
// (in a Web Worker, see verify-worker.js) or anyone runs under Node. It checks, naming the failing
// object, what the Python verifier checks: canonical lines, the event chain and its Ed25519
// signatures, the manifest and phi, the credential list, every ballot, the batches' Merkle roots,
// trackers and credentials used once, CLOSE, TALLY, SHARE and RESULT.
//
//     const v = bastauVerifier(sodium, e2e, rec);
//     const summary = v.verifyRecord(bytes, { onProgress: (done, total, stage) => ... });
//
// Throws VerifyError(where, message); `where` is "event 3 (BATCH) ballot 1" and the like.

import { E2EError } from "./ballot.js";
import { rebuildList, checkRules, QuotaError } from "./quota.js";

export class VerifyError extends Error {
  constructor(where, message, seq = null) {
    super(`${where}: ${message}`);
    this.name = "VerifyError";
    this.where = where;
    this.detail = message;
    this.seq = seq;
  }
}

const MAX_INT = 2 ** 53 - 1;
const CHANNELS = ["online", "paper"];

// ------------------------------------------------------------------ canonical JSON
//
// The same rules as bastau.primaries.e2e.canonical: objects with ASCII keys, arrays, strings,
// true/false and integers 0..2^53-1; the text must be exactly the value's canonical form (sorted
// keys, no whitespace, minimal escapes), which also refuses duplicate keys, floats and BOMs.

export function canonicalCheck(value, where) {
  if (typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_INT) throw new VerifyError(where, `integer out of range: ${value}`);
    return;
  }
  if (typeof value === "string") {
    if (!value.isWellFormed()) throw new VerifyError(where, "a string is not valid Unicode");
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => canonicalCheck(v, `${where}[${i}]`));
    return;
  }
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (!/^[\x00-\x7f]*$/.test(k)) throw new VerifyError(where, `a key is not ASCII: ${k}`);
      canonicalCheck(v, `${where}.${k}`);
    }
    return;
  }
  throw new VerifyError(where, `a value of type ${value === null ? "null" : typeof value} is not allowed`);
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out = {};
    // Python sorts str keys by code point; keys are ASCII, so UTF-16 order is the same.
    for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
    return out;
  }
  return value;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function canonicalText(value, where = "value") {
  canonicalCheck(value, where);
  // JSON.stringify escapes exactly what Python's json.dumps(ensure_ascii=False) escapes for these
  // values: '"', '\\' and the controls below U+0020 (\b \f \n \r \t, others \u00xx lowercase).
  return JSON.stringify(sortKeys(value));
}

export function canonicalBytes(value, where = "value") {
  return encoder.encode(canonicalText(value, where));
}

export function canonicalLoads(bytes, where = "value") {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw new VerifyError(where, "a byte-order mark");
  let text;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    throw new VerifyError(where, "not valid UTF-8");
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new VerifyError(where, `not JSON (${err.message})`);
  }
  if (value === null) throw new VerifyError(where, "null is not allowed");
  if (canonicalText(value, where) !== text) throw new VerifyError(where, "not in canonical form");
  return value;
}

// ------------------------------------------------------------------ the verifier

export function bastauVerifier(sodium, e2e, rec) {
  const S = sodium;
  const { Hd, b64d, b64e, equalBytes, decodePoint, u64be, concat } = e2e;
  const IDENT64 = new Uint8Array(64);

  const sigMessage = (kind, digest) => concat([encoder.encode(`bastau/v1/sig/${kind}/`), digest]);
  function sigOk(key, kind, digest, sig) {
    if (key.length !== 32 || sig.length !== 64) return false;
    try {
      return S.crypto_sign_verify_detached(sig, sigMessage(kind, digest), key);
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------- field helpers

  function fields(obj, names, where) {
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new VerifyError(where, "expected an object");
    const have = Object.keys(obj).sort();
    const want = [...names].sort();
    if (have.join(",") !== want.join(",")) {
      const extra = have.filter((k) => !want.includes(k));
      const missing = want.filter((k) => !have.includes(k));
      const parts = [];
      if (extra.length) parts.push(`unexpected field(s) ${extra.join(", ")}`);
      if (missing.length) parts.push(`missing field(s) ${missing.join(", ")}`);
      throw new VerifyError(where, parts.join("; "));
    }
    return obj;
  }
  function int(obj, key, where, lo = 0, hi = MAX_INT) {
    const v = obj[key];
    if (!Number.isSafeInteger(v) || v < lo || v > hi) throw new VerifyError(`${where}.${key}`, `expected an integer in ${lo}..${hi}`);
    return v;
  }
  function str(obj, key, where) {
    const v = obj[key];
    if (typeof v !== "string" || v === "") throw new VerifyError(`${where}.${key}`, "expected a non-empty string");
    return v;
  }
  function bool(obj, key, where) {
    if (typeof obj[key] !== "boolean") throw new VerifyError(`${where}.${key}`, "expected true or false");
    return obj[key];
  }
  function arr(obj, key, where) {
    if (!Array.isArray(obj[key])) throw new VerifyError(`${where}.${key}`, "expected an array");
    return obj[key];
  }
  function data(obj, key, where, size = null) {
    let v;
    try {
      v = b64d(obj[key], `${where}.${key}`);
    } catch (err) {
      throw new VerifyError(`${where}.${key}`, err.message);
    }
    if (size !== null && v.length !== size) throw new VerifyError(`${where}.${key}`, `expected ${size} bytes, got ${v.length}`);
    return v;
  }
  function point(bytes, where, allowIdentity = false) {
    try {
      return decodePoint(bytes, where, allowIdentity);
    } catch (err) {
      throw new VerifyError(where, err.message);
    }
  }
  const DAY = /^\d{4}-\d{2}-\d{2}$/;
  const MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
  function realDay(s) {
    const [y, m, d] = s.slice(0, 10).split("-").map(Number);
    const t = new Date(Date.UTC(y, m - 1, d));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
  }
  function day(obj, key, where) {
    const v = obj[key];
    if (typeof v !== "string" || !DAY.test(v) || !realDay(v)) throw new VerifyError(`${where}.${key}`, "expected a day as YYYY-MM-DD");
    return v;
  }
  function moment(obj, key, where) {
    const v = obj[key];
    if (typeof v !== "string" || !MOMENT.test(v) || !realDay(v)) throw new VerifyError(`${where}.${key}`, "expected a UTC time as YYYY-MM-DDTHH:MM:SSZ");
    const [h, mi, s] = v.slice(11, 19).split(":").map(Number);
    if (h > 23 || mi > 59 || s > 59) throw new VerifyError(`${where}.${key}`, `not a real time: ${v}`);
    return v;
  }
  const compareBytes = (a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  };
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const sha256hex = (text) => hex(S.crypto_hash_sha256(encoder.encode(text)));

  // ---------------------------------------------------------------- manifest, trustees, credentials

  const MANIFEST_FIELDS = [
    "format", "uuid", "slug", "title", "group", "questions", "election_key", "threshold", "trustee_count",
    "trustees", "credentials", "roll", "keys", "voting", "quota",
  ];

  function checkManifest(M, where = "manifest") {
    fields(M, MANIFEST_FIELDS, where);
    if (M.format !== "bastau-e2e/1") throw new VerifyError(`${where}.format`, "expected bastau-e2e/1");
    if (typeof M.uuid !== "string" || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(M.uuid)) {
      throw new VerifyError(`${where}.uuid`, "expected a lowercase UUID");
    }
    str(M, "slug", where);
    str(M, "title", where);
    if (M.group !== "ristretto255") throw new VerifyError(`${where}.group`, "expected ristretto255");
    const Y = point(data(M, "election_key", where, 32), `${where}.election_key`);
    const m = int(M, "trustee_count", where, 1);
    const t = int(M, "threshold", where, 1, m);
    const trusteesDigest = data(M, "trustees", where, 32);
    fields(M.credentials, ["root", "count"], `${where}.credentials`);
    const credRoot = data(M.credentials, "root", `${where}.credentials`, 32);
    const credCount = int(M.credentials, "count", `${where}.credentials`);
    const roll = int(M, "roll", where);
    fields(M.keys, ["ca", "server", "observers"], `${where}.keys`);
    const keys = {
      ca: data(M.keys, "ca", `${where}.keys`, 32),
      server: data(M.keys, "server", `${where}.keys`, 32),
      observers: arr(M.keys, "observers", `${where}.keys`).map((_, i) => data(M.keys.observers, i, `${where}.keys.observers`, 32)),
    };
    for (let i = 1; i < keys.observers.length; i++) {
      if (compareBytes(keys.observers[i - 1], keys.observers[i]) >= 0) throw new VerifyError(`${where}.keys.observers`, "must be sorted and distinct");
    }
    fields(M.voting, ["opens", "closes"], `${where}.voting`);
    moment(M.voting, "opens", `${where}.voting`);
    moment(M.voting, "closes", `${where}.voting`);
    if (M.voting.opens >= M.voting.closes) throw new VerifyError(`${where}.voting`, "voting closes before it opens");
    fields(M.quota, ["rules", "custom", "prefix_mode", "reference_date", "tie_break_seed"], `${where}.quota`);
    str(M.quota, "rules", `${where}.quota`);
    if (typeof M.quota.tie_break_seed !== "string") throw new VerifyError(`${where}.quota.tie_break_seed`, "expected a string");
    if (M.quota.custom === null || typeof M.quota.custom !== "object" || M.quota.custom.id !== M.quota.rules) {
      throw new VerifyError(`${where}.quota.rules`, "is not the rule set's id");
    }
    bool(M.quota, "prefix_mode", `${where}.quota`);
    day(M.quota, "reference_date", `${where}.quota`);
    const questions = arr(M, "questions", where);
    if (questions.length === 0) throw new VerifyError(`${where}.questions`, "no questions");
    const ids = new Set();
    let rollSum = 0;
    const qs = questions.map((Q, qi) => {
      const w = `${where}.questions[${qi}]`;
      fields(Q, ["id", "title", "k_min", "k_max", "list_length", "roll", "candidates"], w);
      const id = str(Q, "id", w);
      if (ids.has(id)) throw new VerifyError(`${w}.id`, `question ${id} appears twice`);
      ids.add(id);
      str(Q, "title", w);
      const cands = arr(Q, "candidates", w);
      const n = cands.length;
      if (n < 1) throw new VerifyError(`${w}.candidates`, "no candidates");
      const cids = new Set();
      cands.forEach((c, ci) => {
        const cw = `${w}.candidates[${ci}]`;
        fields(c, ["id", "name", "woman", "youth", "disability"], cw);
        const cid = str(c, "id", cw);
        if (cids.has(cid)) throw new VerifyError(`${cw}.id`, `candidate ${cid} appears twice`);
        cids.add(cid);
        str(c, "name", cw);
        bool(c, "woman", cw);
        bool(c, "youth", cw);
        bool(c, "disability", cw);
      });
      const kmin = int(Q, "k_min", w, 0, 0);
      const kmax = int(Q, "k_max", w, 1, n);
      const listLength = int(Q, "list_length", w, 0, n);
      const qroll = int(Q, "roll", w);
      rollSum += qroll;
      return { id, title: Q.title, n, kmin, kmax, listLength, roll: qroll, candidates: cands };
    });
    if (rollSum !== roll) throw new VerifyError(`${where}.roll`, `the questions' rolls add up to ${rollSum}, not ${roll}`);
    if (credCount !== roll) throw new VerifyError(`${where}.credentials.count`, `${credCount} credentials for a roll of ${roll}`);
    try {
      checkRules(M.quota.custom);
    } catch (err) {
      if (err instanceof QuotaError) throw new VerifyError(`${where}.quota.custom`, err.message);
      throw err;
    }
    return { Y, t, m, trusteesDigest, credRoot, credCount, roll, keys, questions: qs, uuid: M.uuid, opens: M.voting.opens, quota: M.quota };
  }

  // ---------------------------------------------------------------- key ceremony (check 2)
  //
  // The transcript of bastau.primaries.e2e.ceremony: {"format": "bastau-trustees/1", "uuid",
  // "threshold", "names", "context", "trustees": [{"certificate", "reveal", "key"}, ...]}.
  // Every signature (kind "trustee" over Hd(dkg-<type>, canonical(object without sig))), the
  // commitments against the certificates' digests, both proofs of knowledge, K_j = sum_i sum_k
  // j^k C_ik, and Y = sum_i C_i0. Returns { K, signKeys, names, Y }.

  const pAdd = (P, Q) => S.crypto_core_ristretto255_add(P, Q);
  const isIdentity = (P) => P.every((x) => x === 0);
  const mulz = (s, P) => (s.every((x) => x === 0) || isIdentity(P) ? new Uint8Array(32) : S.crypto_scalarmult_ristretto255(s, P));
  const mulGz = (s) => (s.every((x) => x === 0) ? new Uint8Array(32) : S.crypto_scalarmult_ristretto255_base(s));

  function verifyKnowledge(kappa, what, i, P, proof) {
    if (proof.length !== 64) return false;
    let R;
    let z;
    try {
      R = e2e.decodePoint(proof.subarray(0, 32), "pok R");
      z = e2e.decodeScalar(proof.subarray(32), "pok z");
    } catch {
      return false;
    }
    const c = e2e.Hs("pok", kappa, what, i, P, R);
    return equalBytes(pAdd(mulGz(z), mulz(c, P)), R);
  }

  function trusteeSigned(obj, key, where) {
    const unsigned = { ...obj };
    delete unsigned.sig;
    const digest = Hd(`dkg-${obj.type}`, canonicalBytes(unsigned, where));
    if (!sigOk(key, "trustee", digest, data(obj, "sig", where, 64))) throw new VerifyError(where, "bad signature");
  }

  function typed(obj, names, type, where) {
    fields(obj, names, where);
    if (obj.type !== type) throw new VerifyError(where, `expected type ${type}`);
  }

  function verifyTranscript(TR, man) {
    const w = "transcript";
    fields(TR, ["format", "uuid", "threshold", "names", "context", "trustees"], w);
    if (TR.format !== "bastau-trustees/1") throw new VerifyError(`${w}.format`, "expected bastau-trustees/1");
    if (TR.uuid !== man.uuid) throw new VerifyError(`${w}.uuid`, "not this election's uuid");
    const names = arr(TR, "names", w);
    const m = names.length;
    if (m < 1 || m > 64) throw new VerifyError(`${w}.names`, "between 1 and 64 trustees");
    names.forEach((n, k) => {
      if (typeof n !== "string" || !n.trim() || n.length > 200) throw new VerifyError(`${w}.names[${k}]`, "a trustee's name is a non-empty string");
    });
    if (new Set(names).size !== m) throw new VerifyError(`${w}.names`, "two trustees have the same name");
    const t = int(TR, "threshold", w, 1, m);
    if (t !== man.t) throw new VerifyError(`${w}.threshold`, `expected threshold ${man.t}, got ${t}`);
    const kappa = Hd("dkg-context", e2e.uuidBytes(TR.uuid), m, t, ...names);
    if (!equalBytes(data(TR, "context", w, 32), kappa)) throw new VerifyError(`${w}.context`, "does not match uuid, threshold and names");
    const entries = arr(TR, "trustees", w);
    if (entries.length !== m) throw new VerifyError(`${w}.trustees`, `expected ${m} entries (one per name)`);
    entries.forEach((e, pos) => fields(e, ["certificate", "reveal", "key"], `transcript.trustees[${pos}]`));
    const context = (obj, where) => {
      if (!equalBytes(data(obj, "context", where, 32), kappa)) throw new VerifyError(where, "made for another ceremony (context differs)");
    };
    // certificates
    const certs = entries.map((e) => e.certificate);
    const signKeys = new Map();
    const coefDigests = new Map();
    const seen = new Set();
    certs.forEach((cert, pos) => {
      const i = pos + 1;
      const cw = `trustee ${i} certificate`;
      typed(cert, ["type", "context", "index", "name", "sign_key", "seal_key", "coefs", "sig"], "certificate", cw);
      if (int(cert, "index", cw) !== i) throw new VerifyError(cw, `index ${cert.index} in position ${i} (duplicate or out of order)`);
      context(cert, cw);
      if (cert.name !== names[pos]) throw new VerifyError(cw, "the name differs from the setup's");
      const key = data(cert, "sign_key", cw, 32);
      data(cert, "seal_key", cw, 32);
      if (seen.has(cert.sign_key)) throw new VerifyError(cw, "a signing key used by another trustee");
      seen.add(cert.sign_key);
      trusteeSigned(cert, key, cw);
      signKeys.set(i, key);
      coefDigests.set(i, data(cert, "coefs", cw, 32));
    });
    // reveals
    const certsDigest = Hd("dkg-certificates", canonicalBytes(certs, "certificates"));
    const reveals = entries.map((e) => e.reveal);
    const commitments = new Map();
    reveals.forEach((rev, pos) => {
      const i = pos + 1;
      const rw = `trustee ${i} reveal`;
      typed(rev, ["type", "context", "index", "coefs", "pok", "certificates", "sig"], "reveal", rw);
      if (int(rev, "index", rw) !== i) throw new VerifyError(rw, `index ${rev.index} in position ${i}`);
      context(rev, rw);
      const coefs = arr(rev, "coefs", rw);
      if (coefs.length !== t) throw new VerifyError(rw, `${coefs.length} commitments; degree t-1 needs exactly ${t}`);
      const pts = coefs.map((_, k) => point(data(coefs, k, `${rw}.coefs`, 32), `${rw}.coefs[${k}]`));
      if (!equalBytes(Hd("dkg-coefs", kappa, i, ...pts), coefDigests.get(i))) throw new VerifyError(rw, "commitments differ from the certificate's digest");
      if (!verifyKnowledge(kappa, "coef", i, pts[0], data(rev, "pok", rw, 64))) throw new VerifyError(rw, "bad proof of knowledge of a_i0");
      if (!equalBytes(data(rev, "certificates", rw, 32), certsDigest)) throw new VerifyError(rw, "signed another list of certificates");
      trusteeSigned(rev, signKeys.get(i), rw);
      commitments.set(i, pts);
    });
    // keys
    const revealsDigest = Hd("dkg-reveals", canonicalBytes(reveals, "reveals"));
    const agg = [];
    for (let k = 0; k < t; k++) {
      let acc = new Uint8Array(32);
      for (const c of commitments.values()) acc = isIdentity(acc) ? c[k] : pAdd(acc, c[k]);
      agg.push(acc);
    }
    const K = new Map();
    entries.map((e) => e.key).forEach((key, pos) => {
      const j = pos + 1;
      const kw = `trustee ${j} key`;
      typed(key, ["type", "context", "index", "key", "pok", "reveals", "sig"], "key", kw);
      if (int(key, "index", kw) !== j) throw new VerifyError(kw, `index ${key.index} in position ${j}`);
      context(key, kw);
      const Kj = point(data(key, "key", kw, 32), `${kw}.key`);
      if (!equalBytes(data(key, "reveals", kw, 32), revealsDigest)) throw new VerifyError(kw, "signed another list of reveals");
      if (!verifyKnowledge(kappa, "key", j, Kj, data(key, "pok", kw, 64))) throw new VerifyError(kw, "bad proof of knowledge of s_j");
      // sum_k j^k C_k, by Horner on points
      let acc = new Uint8Array(32);
      const js = e2e.scalarFromInt(j);
      for (let k = t - 1; k >= 0; k--) {
        const prod = mulz(js, acc);
        acc = isIdentity(prod) ? agg[k] : isIdentity(agg[k]) ? prod : pAdd(prod, agg[k]);
      }
      if (!equalBytes(acc, Kj)) throw new VerifyError(kw, "K_j differs from sum_i sum_k j^k C_ik");
      trusteeSigned(key, signKeys.get(j), kw);
      K.set(j, Kj);
    });
    const Y = agg[0];
    if (isIdentity(Y)) throw new VerifyError("transcript", "the election key Y = sum C_i0 is the identity");
    if (!equalBytes(Y, man.Y)) throw new VerifyError("manifest", "the election key is not the one the ceremony produced");
    if (m !== man.m) throw new VerifyError("manifest", "trustee_count or threshold differs from the ceremony's");
    return { K, signKeys, names };
  }

  function checkCredentials(CL, man, where = "credential list") {
    fields(CL, ["entries", "count", "root", "sig"], where);
    const entries = arr(CL, "entries", where);
    const count = int(CL, "count", where);
    if (count !== entries.length) throw new VerifyError(`${where}.count`, `count ${count}, entries ${entries.length}`);
    if (count !== man.roll) throw new VerifyError(`${where}.count`, `${count} entries for a roll of ${man.roll}`);
    const perQ = new Map(man.questions.map((q) => [q.id, 0]));
    const byKey = new Map();
    const leaves = [];
    let prev = null;
    entries.forEach((e, i) => {
      const w = `${where} entry ${i}`;
      fields(e, ["question", "key"], w);
      const q = str(e, "question", w);
      if (!perQ.has(q)) throw new VerifyError(`${w}.question`, `no question ${q} in the manifest`);
      perQ.set(q, perQ.get(q) + 1);
      const X = point(data(e, "key", w, 32), `${w}.key`);
      if (prev && compareBytes(prev, X) >= 0) throw new VerifyError(w, "entries are not sorted by key, or a key appears twice");
      prev = X;
      byKey.set(e.key, q);
      leaves.push(Hd("credential-leaf", q, X));
    });
    for (const q of man.questions) {
      if (perQ.get(q.id) !== q.roll) throw new VerifyError(where, `question ${q.id}: ${perQ.get(q.id)} credentials for a roll of ${q.roll}`);
    }
    const root = data(CL, "root", where, 32);
    if (leaves.length === 0 || !equalBytes(rec.merkleRoot(leaves), root)) throw new VerifyError(`${where}.root`, "the Merkle root does not recompute");
    if (!equalBytes(root, man.credRoot)) throw new VerifyError(`${where}.root`, "not the manifest's credential root");
    const unsigned = { ...CL };
    delete unsigned.sig;
    const digest = Hd("credentials", canonicalBytes(unsigned, where));
    if (!sigOk(man.keys.ca, "credentials", digest, data(CL, "sig", where, 64))) throw new VerifyError(`${where}.sig`, "the CA's signature does not verify");
    return byKey;
  }

  // ---------------------------------------------------------------- events

  const ORDER = { SETUP: 0, BATCH: 1, VOID: 1, REJECT: 1, CLOSE: 2, TALLY: 3, SHARE: 4, RESULT: 5 };

  function eventHash(seq, prev, type, payload, dayText, where) {
    const d = Hd("payload", canonicalBytes(payload, `${where}.payload`));
    return Hd("event", seq, prev, type, d, dayText);
  }

  // Splits a record into lines; each must end with "\n".
  function splitLines(bytes) {
    const lines = [];
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0x0a) {
        lines.push(bytes.subarray(start, i));
        start = i + 1;
      }
    }
    if (start !== bytes.length) throw new VerifyError(`line ${lines.length + 1}`, "the record does not end with a newline");
    return lines;
  }

  // Parses and checks one event line's envelope, hash and signatures.
  function readEvent(line, seqExpected, prev, keys, lineNo) {
    const where0 = `line ${lineNo}`;
    const ev = canonicalLoads(line, where0);
    fields(ev, ["seq", "prev", "type", "day", "payload", "sig", "cosigs"], where0);
    const seq = int(ev, "seq", where0);
    const type = typeof ev.type === "string" ? ev.type : "?";
    const where = `event ${seq} ${type}`;
    if (seq !== seqExpected) throw new VerifyError(where, `seq ${seq} where ${seqExpected} was expected (an event is missing or out of place)`, seq);
    if (!(type in ORDER)) throw new VerifyError(where, `unknown event type ${type}`, seq);
    const prevBytes = data(ev, "prev", where, 32);
    if (!equalBytes(prevBytes, prev)) throw new VerifyError(where, seq === 0 ? "prev is not phi" : "prev is not the previous event's hash (an event missing or changed)", seq);
    const dayText = day(ev, "day", where);
    if (ev.payload === null || typeof ev.payload !== "object" || Array.isArray(ev.payload)) throw new VerifyError(`${where}.payload`, "expected an object", seq);
    const h = eventHash(seq, prevBytes, type, ev.payload, dayText, where);
    return { ev, seq, type, where, h, dayText };
  }

  function checkSignatures({ ev, seq, where, h }, keys) {
    if (!sigOk(keys.server, "event", h, data(ev, "sig", where, 64))) throw new VerifyError(where, "the server's signature does not verify", seq);
    const seen = new Set();
    let prevKey = null;
    arr(ev, "cosigs", where).forEach((c, i) => {
      const w = `${where} co-signature ${i}`;
      fields(c, ["key", "sig"], w);
      const key = data(c, "key", w, 32);
      if (!keys.observers.some((o) => equalBytes(o, key))) throw new VerifyError(w, "the key is not an observer's key of the manifest", seq);
      if (prevKey && compareBytes(prevKey, key) >= 0) throw new VerifyError(where, "co-signatures must be sorted by key, one per observer", seq);
      prevKey = key;
      seen.add(c.key);
      if (!sigOk(key, "observer", h, data(c, "sig", w, 64))) throw new VerifyError(w, "the observer's signature does not verify", seq);
    });
    return seen.size;
  }

  // ---------------------------------------------------------------- whole record

  function atSeq(seq, fn) {
    try {
      return fn();
    } catch (err) {
      if (err instanceof VerifyError && err.seq === null) err.seq = seq;
      if (err instanceof E2EError) throw new VerifyError(`event ${seq}`, err.message, seq);
      throw err;
    }
  }

  function readSetup(line, options) {
    const first = canonicalLoads(line, "line 1");
    if (first === null || typeof first !== "object" || first.type !== "SETUP") throw new VerifyError("event 0", "the record must start with SETUP", 0);
    const setup = first.payload;
    fields(setup, ["manifest", "trustees", "credentials"], "event 0 (SETUP).payload");
    const man = checkManifest(setup.manifest);
    if (options.serverKey && !equalBytes(options.serverKey, man.keys.server)) {
      throw new VerifyError("manifest", `the server key ${b64e(man.keys.server)} is not the pinned key ${b64e(options.serverKey)}`, 0);
    }
    if (typeof first.day === "string" && first.day > man.opens.slice(0, 10)) {
      throw new VerifyError("event 0 SETUP", `day ${first.day}: the SETUP comes after voting opened`, 0);
    }
    const phi = Hd("election", canonicalBytes(setup.manifest, "manifest"));
    if (options.phi && !equalBytes(options.phi, phi)) throw new VerifyError("manifest", "the manifest does not hash to the expected phi", 0);
    if (!equalBytes(Hd("trustees", canonicalBytes(setup.trustees, "trustees")), man.trusteesDigest)) {
      throw new VerifyError("trustees", "the transcript does not hash to the manifest's digest", 0);
    }
    const { K, signKeys } = verifyTranscript(setup.trustees, man);
    const credQuestion = checkCredentials(setup.credentials, man);
    return { setup, man, phi, K, signKeys, credQuestion };
  }

  // Options: onProgress(done, total, stage); final (a record without RESULT fails);
  // head {seq, hash} a saved head the record must extend. The whole record in memory: see
  // openRecord for a record read as a stream.
  function verifyRecord(bytes, options = {}) {
    const { onProgress = () => {} } = options;
    const lines = splitLines(bytes);
    if (lines.length === 0) throw new VerifyError("record", "the record is empty");
    // Work units for the progress bar: one per event plus one per ballot (counted cheaply).
    let totalUnits = lines.length;
    for (const l of lines) {
      for (let i = 0; i + 9 < l.length; i++) if (l[i] === 0x22 && l[i + 1] === 0x63 && l[i + 2] === 0x68 && l[i + 8] === 0x22 && l[i + 9] === 0x3a) totalUnits++;
    }
    let done = 0;
    const tick = (stage) => onProgress(++done, Math.max(totalUnits, done), stage);
    const checker = openLines({ ...options, tick });
    for (const line of lines) checker.line(line);
    const summary = checker.end();
    onProgress(totalUnits, totalUnits, "done");
    return summary;
  }

  // The record as a stream: push(chunk) with the bytes as they arrive (any cut, lines may span
  // chunks), then end() for the summary. Only the current line and the verifier's running state
  // (trackers and credential keys seen, encrypted sums) are held, never the record. Same options
  // as verifyRecord but onProgress, plus tick(stage) called per event and per ballot. Once a
  // check fails, every later call throws the same error.
  function openRecord(options = {}) {
    const checker = openLines(options);
    let rest = new Uint8Array(0);
    let lineNo = 0;
    let failed = null;
    const guard = (fn) => {
      if (failed) throw failed;
      try {
        return fn();
      } catch (err) {
        failed = err;
        throw err;
      }
    };
    return {
      push(chunk) {
        guard(() => {
          const bytes = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
          let start = 0;
          for (let i = 0; i < bytes.length; i++) {
            if (bytes[i] !== 0x0a) continue;
            const piece = bytes.subarray(start, i);
            const line = rest.length ? concat([rest, piece]) : piece;
            rest = new Uint8Array(0);
            lineNo++;
            checker.line(line);
            start = i + 1;
          }
          if (start < bytes.length) rest = concat([rest, bytes.subarray(start)]);
        });
      },
      end() {
        return guard(() => {
          if (rest.length) throw new VerifyError(`line ${lineNo + 1}`, "the record does not end with a newline");
          if (lineNo === 0) throw new VerifyError("record", "the record is empty");
          return checker.end();
        });
      },
    };
  }

  // The verifier proper, one line at a time: line(bytes) for each line (without its "\n"), in
  // order, then end().
  function openLines(options = {}) {
    const { final = false } = options;
    const tick = options.tick || (() => {});
    // Saved heads: one {seq, hash}, or a heads file's object {election, heads: [...]}.
    let heads = [];
    if (options.head) heads = [options.head];
    if (options.heads) heads = Array.isArray(options.heads) ? options.heads : options.heads.heads;
    const savedPhi = options.heads && !Array.isArray(options.heads) ? options.heads.election : null;
    const share = options.share || null;
    if (share && !(Number.isSafeInteger(share.of) && share.of >= 1 && Number.isSafeInteger(share.k) && share.k >= 0 && share.k < share.of)) {
      throw new VerifyError("options", "share must be {k, of} with 0 <= k < of");
    }
    const pendingHeads = new Map(heads.map((h) => [h.seq, h.hash]));
    let setup, man, phi, K, signKeys, credQuestion, elections, state;
    let prev = null;
    let last = -1;
    let lastHash = null;
    let lastDay = null;
    let i = 0;

    function first(l) {
      ({ setup, man, phi, K, signKeys, credQuestion } = atSeq(0, () => readSetup(l, options)));
      elections = new Map(
        man.questions.map((q) => [q.id, { phi, Y: man.Y, questions: [{ id: q.id, n: q.n, kmin: q.kmin, kmax: q.kmax }] }]),
      );
      state = {
        share,
        ballotIndex: 0,
        trackers: new Set(),
        keysUsed: new Set(),
        voided: new Set(),
        counts: new Map(man.questions.map((q) => [q.id, { online: 0, paper: 0 }])),
        sums: new Map(man.questions.map((q) => [q.id, { online: new Array(q.n).fill(null), paper: new Array(q.n).fill(null) }])),
        batches: 0,
        rejected: 0,
        close: null,
        tally: null,
        shares: new Map(),
        result: null,
      };
      prev = phi;
      if (savedPhi && savedPhi !== b64e(phi)) throw new VerifyError("heads file", "the saved heads belong to another election", 0);
    }

    function line(l) {
      if (i === 0) first(l);
      const e = atSeq(i, () => readEvent(l, i, prev, man.keys, i + 1));
      const { seq, type, where, ev } = e;
      if (seq === 0 && type !== "SETUP") throw new VerifyError(where, "the record must start with SETUP", seq);
      if (seq > 0 && type === "SETUP") throw new VerifyError(where, "a second SETUP", seq);
      const rank = ORDER[type];
      if (seq > 0) {
        if (last >= 5) throw new VerifyError(where, "an event after RESULT", seq);
        if (rank < last || (rank === last && (type === "CLOSE" || type === "TALLY" || type === "RESULT"))) {
          throw new VerifyError(where, `${type} out of order (SETUP, BATCH*, CLOSE, TALLY, SHARE*, RESULT)`, seq);
        }
        if (rank > last + 1 && !(last === 0 && rank === 2)) throw new VerifyError(where, `${type} before the events that must precede it`, seq);
      }
      last = rank;
      if (lastDay !== null && e.dayText < lastDay) throw new VerifyError(where, `day ${e.dayText} is before the previous event's`, seq);
      lastDay = e.dayText;
      atSeq(seq, () => checkSignatures(e, man.keys));
      if (pendingHeads.has(seq)) {
        if (pendingHeads.get(seq) !== b64e(e.h)) {
          throw new VerifyError(where, `differs from the saved head at seq ${seq}: a fork (the history shown before was rewritten); this record does not extend the saved head`, seq);
        }
        pendingHeads.delete(seq);
      }
      try {
        if (type === "BATCH") checkBatch(ev.payload, e, state, elections, credQuestion, tick, man.opens.slice(0, 10));
        else if (type === "REJECT") checkReject(ev.payload, e, state, elections);
        else if (type === "VOID") checkVoid(ev.payload, e, state, credQuestion, man, phi);
        else if (type === "CLOSE") checkClose(ev.payload, e, state, man);
        else if (type === "TALLY") checkTally(ev.payload, e, state, man);
        else if (type === "SHARE") checkShare(ev.payload, e, state, man, phi, K, signKeys);
        else if (type === "RESULT") checkResult(ev.payload, e, state, man);
      } catch (err) {
        if (err instanceof VerifyError) {
          if (err.seq === null) err.seq = seq;
          throw err;
        }
        if (err instanceof E2EError) throw new VerifyError(where, err.message, seq);
        throw err;
      }
      prev = e.h;
      lastHash = e.h;
      i++;
      tick(type);
    }

    function end() {
      if (i === 0) throw new VerifyError("record", "the record is empty");
      for (const seq of pendingHeads.keys()) throw new VerifyError("record", `the record is shorter than the saved head (seq ${seq}): cut or rewritten`);
      if ((state.tally || state.result) && !state.close) throw new VerifyError("record", "a TALLY or RESULT without CLOSE");
      if (final && !state.result) throw new VerifyError("record", "the record has no RESULT yet");
      return {
        phi: b64e(phi),
        serverKey: b64e(man.keys.server),
        title: setup.manifest.title,
        slug: setup.manifest.slug,
        events: i,
        head: { seq: i - 1, hash: b64e(lastHash) },
        ballots: { online: sum(state.counts, "online"), paper: sum(state.counts, "paper") },
        batches: state.batches,
        rejected: state.rejected,
        closed: state.close !== null,
        shares: state.shares.size,
        result: state.result,
        questions: man.questions.map((q) => ({ id: q.id, title: q.title, candidates: q.candidates.map((c) => ({ id: c.id, name: c.name })) })),
      };
    }

    return { line, end };
  }

  function sum(counts, channel) {
    let s = 0;
    for (const c of counts.values()) s += c[channel];
    return s;
  }

  function checkBatch(p, { where, seq, dayText }, state, elections, credQuestion, tick, opensDay) {
    if (state.close) throw new VerifyError(where, "a BATCH after CLOSE", seq);
    fields(p, ["ballots", "root"], `${where}.payload`);
    const list = arr(p, "ballots", `${where}.payload`);
    if (list.length === 0) throw new VerifyError(where, "an empty batch", seq);
    if (dayText < opensDay) throw new VerifyError(where, `day ${dayText}: ballots sealed before voting opened`, seq);
    const leaves = [];
    let prevT = null;
    list.forEach((b, i) => {
      const w = `${where}, ballot ${i}`;
      fields(b, ["question", "channel", "ballot"], w);
      const qid = str(b, "question", w);
      const election = elections.get(qid);
      if (!election) throw new VerifyError(`${w}.question`, `no question ${qid} in the manifest`, seq);
      const channel = b.channel;
      if (!CHANNELS.includes(channel)) throw new VerifyError(`${w}.channel`, "expected online or paper", seq);
      const raw = data(b, "ballot", w);
      let checked;
      // With options.share = {k, of}, this run checks the proofs and sigma of every of-th ballot
      // only (the others are decoded strictly, and everything else is checked in full): "of"
      // runs with k = 0..of-1 together check every proof, in parallel workers.
      const mine = state.share === null || state.ballotIndex % state.share.of === state.share.k;
      state.ballotIndex++;
      try {
        if (mine) checked = e2e.verifyBallot(raw, election);
        else {
          const size = e2e.bodySize(election.questions);
          if (raw.length !== size + 64) throw new E2EError("ballot has the wrong size", "ballot");
          const body = raw.subarray(0, size);
          const parsed = e2e.parseBody(body, election.questions);
          if (!equalBytes(parsed.phi, election.phi)) throw new E2EError("phi does not match the election", "body");
          checked = { T: e2e.tracker(body), X: parsed.X, parsed };
        }
      } catch (err) {
        if (err instanceof E2EError) throw new VerifyError(w, `${err.where ? `${err.where}: ` : ""}${err.message.replace(/^.*?: /, "")} (the ballot's proof or signature fails)`, seq);
        throw err;
      }
      const { T, X } = checked;
      const tKey = b64e(T);
      const xKey = b64e(X);
      if (state.trackers.has(tKey)) throw new VerifyError(w, `tracker ${tKey} appears twice in the record`, seq);
      if (state.keysUsed.has(xKey)) throw new VerifyError(w, `credential key ${xKey} is used twice in the record`, seq);
      if (state.voided.has(xKey)) throw new VerifyError(w, "the credential key was voided", seq);
      if (channel === "online") {
        const q = credQuestion.get(xKey);
        if (q === undefined) throw new VerifyError(w, "the credential key is not in the credential list", seq);
        if (q !== qid) throw new VerifyError(w, `the credential is for question ${q}, not ${qid}`, seq);
      } else if (credQuestion.has(xKey)) {
        throw new VerifyError(w, "a paper ballot uses a key of the credential list", seq);
      }
      if (prevT && compareBytes(prevT, T) >= 0) throw new VerifyError(w, "ballots are not sorted by tracker", seq);
      prevT = T;
      state.trackers.add(tKey);
      state.keysUsed.add(xKey);
      state.counts.get(qid)[channel]++;
      const sums = state.sums.get(qid)[channel];
      const cts = checked.parsed.questions[0].cts;
      for (let k = 0; k < cts.length; k++) {
        const ct = concat(cts[k]);
        sums[k] = sums[k] === null ? ct : addCt(sums[k], ct);
      }
      leaves.push(rec.leafHash(T, raw.subarray(raw.length - 64)));
      tick("ballot");
    });
    if (!equalBytes(rec.merkleRoot(leaves), data(p, "root", `${where}.payload`, 32))) {
      throw new VerifyError(`${where}.payload.root`, "the Merkle root does not recompute", seq);
    }
    state.batches++;
  }

  function addCt(a, b) {
    return concat([
      S.crypto_core_ristretto255_add(a.subarray(0, 32), b.subarray(0, 32)),
      S.crypto_core_ristretto255_add(a.subarray(32), b.subarray(32)),
    ]);
  }

  function checkReject(p, { where, seq }, state, elections) {
    fields(p, ["ballots"], `${where}.payload`);
    const list = arr(p, "ballots", `${where}.payload`);
    if (list.length === 0) throw new VerifyError(where, "an empty REJECT", seq);
    list.forEach((b, i) => {
      const w = `${where}, rejected ballot ${i}`;
      fields(b, ["question", "ballot", "reason"], w);
      const qid = str(b, "question", w);
      str(b, "reason", w);
      const raw = data(b, "ballot", w);
      const election = elections.get(qid);
      if (!election) throw new VerifyError(w, `unknown question ${qid}`, seq);
      let valid = true;
      try {
        e2e.verifyBallot(raw, election);
      } catch (err) {
        if (!(err instanceof E2EError)) throw err;
        valid = false;
      }
      if (valid) throw new VerifyError(w, "this ballot is valid: a valid ballot was rejected", seq);
      state.rejected++;
    });
  }

  // VOID: {"credentials": [{"key", "question"}, ...] sorted by key, "ca_sig"}: credentials that
  // may no longer cast (members who voted on paper), signed by the CA (kind "void") over
  // Hd("void", phi, canonical(credentials)).
  function checkVoid(p, { where, seq }, state, credQuestion, man, phi) {
    fields(p, ["credentials", "ca_sig"], `${where}.payload`);
    const list = arr(p, "credentials", `${where}.payload`);
    const sig = data(p, "ca_sig", `${where}.payload`, 64);
    if (list.length === 0) throw new VerifyError(where, "an empty VOID", seq);
    let prev = null;
    list.forEach((e, i) => {
      const w = `${where}, credential ${i}`;
      fields(e, ["question", "key"], w);
      str(e, "question", w);
      const X = data(e, "key", w, 32);
      if (prev && compareBytes(prev, X) >= 0) throw new VerifyError(w, "not sorted by key, or a key twice", seq);
      prev = X;
    });
    if (!sigOk(man.keys.ca, "void", Hd("void", phi, canonicalBytes(list, `${where}.payload.credentials`)), sig)) {
      throw new VerifyError(where, "the CA's signature does not verify", seq);
    }
    list.forEach((e, i) => {
      const w = `${where}, credential ${i}`;
      const q = e.question;
      const k = e.key;
      if (credQuestion.get(k) !== q) throw new VerifyError(w, `credential ${k} is not on the list for question ${q}`, seq);
      if (state.keysUsed.has(k)) throw new VerifyError(w, `credential ${k} was already used`, seq);
      if (state.voided.has(k)) throw new VerifyError(w, `credential ${k} was voided before`, seq);
      state.voided.add(k);
    });
    state.voidedCount = (state.voidedCount || 0) + list.length;
  }

  function checkClose(p, { where, seq }, state, man) {
    const w = `${where}.payload`;
    fields(p, ["closed_at", "ballots", "batches", "questions"], w);
    if (moment(p, "closed_at", w) < man.opens) throw new VerifyError(where, "closed before voting opened", seq);
    fields(p.ballots, CHANNELS, `${w}.ballots`);
    for (const ch of CHANNELS) {
      if (int(p.ballots, ch, `${w}.ballots`) !== sum(state.counts, ch)) {
        throw new VerifyError(where, `${ch} ballots: CLOSE says ${p.ballots[ch]}, the batches hold ${sum(state.counts, ch)}`, seq);
      }
    }
    if (int(p, "batches", w) !== state.batches) throw new VerifyError(where, `CLOSE says ${p.batches} batches, the record has ${state.batches}`, seq);
    const qs = arr(p, "questions", w);
    if (qs.length !== man.questions.length) throw new VerifyError(`${w}.questions`, "one entry per question, in manifest order", seq);
    qs.forEach((q, i) => {
      const qw = `${w}.questions[${i}]`;
      fields(q, ["id", ...CHANNELS], qw);
      if (q.id !== man.questions[i].id) throw new VerifyError(`${qw}.id`, "not the manifest's order", seq);
      for (const ch of CHANNELS) {
        if (int(q, ch, qw) !== state.counts.get(q.id)[ch]) throw new VerifyError(where, `question ${q.id}: ${ch} count does not match the batches`, seq);
      }
      if (q.online + q.paper > man.questions[i].roll) throw new VerifyError(where, `question ${q.id}: more ballots than members on the roll`, seq);
    });
    if (sum(state.counts, "online") + sum(state.counts, "paper") > man.roll) throw new VerifyError(where, "more ballots than members on the roll", seq);
    state.close = p;
  }

  function checkTally(p, { where, seq }, state, man) {
    const w = `${where}.payload`;
    fields(p, ["questions"], w);
    const qs = arr(p, "questions", w);
    if (qs.length !== man.questions.length) throw new VerifyError(`${w}.questions`, "one entry per question, in manifest order", seq);
    state.tally = new Map();
    qs.forEach((q, i) => {
      const Q = man.questions[i];
      const qw = `${w}.questions[${i}]`;
      fields(q, ["id", ...CHANNELS], qw);
      if (q.id !== Q.id) throw new VerifyError(`${qw}.id`, "not the manifest's order", seq);
      const mine = {};
      for (const ch of CHANNELS) {
        const list = arr(q, ch, qw);
        if (list.length !== Q.n) throw new VerifyError(`${qw}.${ch}`, `expected ${Q.n} totals`, seq);
        const expected = state.sums.get(Q.id)[ch];
        mine[ch] = list.map((_, k) => {
          const ct = data(list, k, `${qw}.${ch}`, 64);
          const want = expected[k] === null ? IDENT64 : expected[k];
          if (!equalBytes(ct, want)) {
            throw new VerifyError(where, `question ${Q.id}, ${ch} total of candidate ${Q.candidates[k].id} is not the sum of the ballots`, seq);
          }
          return ct;
        });
      }
      state.tally.set(Q.id, mine);
    });
  }

  function checkShare(p, { where, seq }, state, man, phi, K, signKeys) {
    if (!state.tally) throw new VerifyError(where, "a SHARE before TALLY", seq);
    const w = `${where}.payload`;
    fields(p, ["trustee", "questions", "sig"], w);
    const j = int(p, "trustee", w, 1, man.m);
    const sw = `share of trustee ${j}`;
    if (state.shares.has(j)) throw new VerifyError(where, `trustee ${j} has two SHARE events`, seq);
    const unsigned = { ...p };
    delete unsigned.sig;
    if (!sigOk(signKeys.get(j), "share", Hd("share", canonicalBytes(unsigned, w)), data(p, "sig", w, 64))) {
      throw new VerifyError(`${where} (${sw})`, "the trustee's signature does not verify", seq);
    }
    const qs = arr(p, "questions", w);
    if (qs.length !== man.questions.length) throw new VerifyError(`${w}.questions`, "one entry per question, in manifest order", seq);
    const mine = new Map();
    qs.forEach((q, i) => {
      const Q = man.questions[i];
      const qw = `${w}.questions[${i}]`;
      fields(q, ["id", ...CHANNELS], qw);
      if (q.id !== Q.id) throw new VerifyError(`${qw}.id`, "not the manifest's order", seq);
      const perCh = {};
      for (const ch of CHANNELS) {
        const list = arr(q, ch, qw);
        if (list.length !== Q.n) throw new VerifyError(`${qw}.${ch}`, `expected ${Q.n} shares`, seq);
        const totals = state.tally.get(Q.id)[ch];
        perCh[ch] = list.map((_, k) => {
          const raw = data(list, k, `${qw}.${ch}`, 128);
          const A = totals[k].subarray(0, 32);
          const D = raw.subarray(0, 32);
          if (e2e.equalBytes(A, e2e.IDENTITY)) {
            // An empty total: nothing to decrypt; the share must be all zero.
            if (!raw.every((x) => x === 0)) throw new VerifyError(`${where} (${sw})`, `question ${Q.id} ${ch} candidate ${Q.candidates[k].id}: an empty total needs a zero share`, seq);
            return D;
          }
          try {
            rec.verifyShare({ phi, j, K: K.get(j), A, D, proof: raw.subarray(32) });
          } catch (err) {
            throw new VerifyError(`${where} (${sw})`, `question ${Q.id} ${ch} candidate ${Q.candidates[k].id}: the share's proof fails (${err.message})`, seq);
          }
          return D;
        });
      }
      mine.set(Q.id, perCh);
    });
    state.shares.set(j, mine);
  }

  function checkResult(p, { where, seq }, state, man) {
    const w = `${where}.payload`;
    fields(p, ["trustees", "questions"], w);
    const ts = arr(p, "trustees", w);
    ts.forEach((_, i) => int(ts, i, `${w}.trustees`, 1, man.m));
    if (ts.length < man.t) throw new VerifyError(where, `${ts.length} trustees combined, the threshold is ${man.t}`, seq);
    for (let i = 1; i < ts.length; i++) if (ts[i] <= ts[i - 1]) throw new VerifyError(`${w}.trustees`, "trustees must be distinct and ascending", seq);
    for (const j of ts) if (!state.shares.has(j)) throw new VerifyError(`${w}.trustees`, `trustee ${j} has no valid SHARE`, seq);
    const qs = arr(p, "questions", w);
    if (qs.length !== man.questions.length) throw new VerifyError(`${w}.questions`, "one entry per question, in manifest order", seq);
    const out = [];
    qs.forEach((q, i) => {
      const Q = man.questions[i];
      const qw = `${w}.questions[${i}]`;
      fields(q, ["id", "online", "paper", "total", "list"], qw);
      if (q.id !== Q.id) throw new VerifyError(`${qw}.id`, "not the manifest's order", seq);
      const tot = state.tally.get(Q.id);
      for (const ch of CHANNELS) {
        const counts = arr(q, ch, qw);
        if (counts.length !== Q.n) throw new VerifyError(`${qw}.${ch}`, `expected ${Q.n} counts`, seq);
        const ballots = state.counts.get(Q.id)[ch];
        let s = 0;
        counts.forEach((c, k) => {
          int(counts, k, `${qw}.${ch}`);
          const B = tot[ch][k].subarray(32);
          const shares = new Map(ts.map((j) => [j, state.shares.get(j).get(Q.id)[ch][k]]));
          const point = ballots === 0 ? e2e.IDENTITY : rec.combine(B, shares);
          if (!rec.checkCount(point, c, ballots)) {
            throw new VerifyError(where, `question ${Q.id}, ${ch} count of candidate ${Q.candidates[k].id} (${c}) is not what the shares decrypt`, seq);
          }
          s += c;
        });
        if (s < Q.kmin * ballots || s > Q.kmax * ballots) throw new VerifyError(where, `question ${Q.id}: ${ch} counts add up outside the choose-up-to bounds`, seq);
      }
      const total = arr(q, "total", qw);
      if (total.length !== Q.n || total.some((t, k) => t !== q.online[k] + q.paper[k])) {
        throw new VerifyError(where, `question ${Q.id}: total is not online plus paper`, seq);
      }
      const list = arr(q, "list", qw);
      const ids = new Set(Q.candidates.map((c) => c.id));
      if (list.length > Q.listLength || new Set(list).size !== list.length || !list.every((c) => ids.has(c))) {
        throw new VerifyError(`${qw}.list`, "the list must name distinct candidates of the question, at most list_length", seq);
      }
      // The quota-adjusted list, rebuilt from the totals by quota.py's rule (quota.js), line by line.
      const mine = rebuildList(man.quota, Q.candidates, total, Q.listLength, sha256hex);
      for (let pos = 0; pos < Math.max(mine.length, list.length); pos++) {
        const a = pos < list.length ? list[pos] : null;
        const b = pos < mine.length ? mine[pos] : null;
        if (a !== b) throw new VerifyError(`${qw}, list position ${pos + 1}`, `the record says ${a === null ? "nothing" : a}, the quota rule gives ${b === null ? "nothing" : b}`, seq);
      }
      out.push({ id: Q.id, online: q.online, paper: q.paper, total, list });
    });
    state.result = out;
  }

  // ---------------------------------------------------------------- receipts and tracker checks

  function verifyReceipt(receipt, serverKey, phiExpected = null) {
    fields(receipt, ["election", "tracker", "day", "sig"], "receipt");
    const phi = data(receipt, "election", "receipt", 32);
    const T = data(receipt, "tracker", "receipt", 32);
    const d = day(receipt, "day", "receipt");
    if (phiExpected && !equalBytes(phi, phiExpected)) throw new VerifyError("receipt", "the receipt is for another election");
    if (!sigOk(serverKey, "receipt", Hd("receipt", phi, T, d), data(receipt, "sig", "receipt", 64))) {
      throw new VerifyError("receipt", "the server's signature on the receipt does not verify");
    }
    return { phi, T, day: d };
  }

  // The one-tap check: the tracker's BATCH event (its line), the inclusion path, and the record
  // so far (bytes) from which the event's chain to the head is checked.
  // Returns { seq, head } on success.
  function checkTracker({ T, eventLine, index, path, recordBytes }) {
    const summary = verifyChainOnly(recordBytes);
    const ev = canonicalLoads(encoder.encode(eventLine), "BATCH event");
    fields(ev, ["seq", "prev", "type", "day", "payload", "sig", "cosigs"], "BATCH event");
    if (ev.type !== "BATCH") throw new VerifyError("BATCH event", "not a BATCH event");
    const h = summary.hashes[ev.seq];
    if (!h) throw new VerifyError("BATCH event", "the event is not in the record");
    const mine = eventHash(ev.seq, data(ev, "prev", "BATCH event", 32), ev.type, ev.payload, day(ev, "day", "BATCH event"), "BATCH event");
    if (!equalBytes(mine, h)) throw new VerifyError("BATCH event", "the event differs from the record's event at that place");
    const ballots = arr(ev.payload, "ballots", "BATCH event.payload");
    if (!Number.isSafeInteger(index) || index < 0 || index >= ballots.length) throw new VerifyError("inclusion path", "the index is outside the batch");
    const raw = data(ballots[index], "ballot", `BATCH event ballot ${index}`);
    const body = raw.subarray(0, raw.length - 64);
    if (!equalBytes(e2e.tracker(body), T)) throw new VerifyError("inclusion path", "the ballot at that place has another tracker");
    const leaf = rec.leafHash(T, raw.subarray(raw.length - 64));
    const root = data(ev.payload, "root", "BATCH event.payload", 32);
    const pathBytes = path.map((p, i) => data(path, i, "inclusion path", 32));
    if (!rec.verifyInclusion(leaf, index, ballots.length, pathBytes, root)) throw new VerifyError("inclusion path", "the Merkle path does not lead to the batch's root");
    return { seq: ev.seq, head: summary.head, phi: summary.phi, events: summary.hashes.length };
  }

  // The chain alone (hashes and signatures, no ballot proofs): what the tracker check needs.
  function verifyChainOnly(bytes) {
    const lines = splitLines(bytes);
    if (lines.length === 0) throw new VerifyError("record", "the record is empty");
    const first = canonicalLoads(lines[0], "line 1");
    if (first === null || typeof first !== "object" || first.type !== "SETUP") throw new VerifyError("event 0", "the record must start with SETUP", 0);
    fields(first.payload, ["manifest", "trustees", "credentials"], "event 0 (SETUP).payload");
    const man = checkManifest(first.payload.manifest);
    const phi = Hd("election", canonicalBytes(first.payload.manifest, "manifest"));
    const hashes = [];
    let prev = phi;
    for (let i = 0; i < lines.length; i++) {
      const e = readEvent(lines[i], i, prev, man.keys, i + 1);
      checkSignatures(e, man.keys);
      hashes.push(e.h);
      prev = e.h;
    }
    return { phi: b64e(phi), hashes, head: { seq: hashes.length - 1, hash: b64e(prev) }, serverKey: man.keys.server, manifest: first.payload.manifest };
  }

  return {
    canonicalLoads,
    canonicalBytes,
    checkManifest,
    verifyRecord,
    openRecord,
    verifyReceipt,
    verifyChainOnly,
    checkTracker,
    sigOk,
    hex,
  };
}

export default bastauVerifier;
