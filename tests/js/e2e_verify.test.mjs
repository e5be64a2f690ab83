// The browser's record verifier (static/bastau/e2e/verify.js) on the mini-election record made by
// the Python e2e modules (tests/js/make_record.py -> fixtures/mini-record.json): the good record
// passes with the counts the Python side put in, and every negative case fails naming the event
// the case broke.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { load } from "./helpers.mjs";

const { sodium, e2e } = await load();
const { bastauRecord } = await import("../../src/bastau/static/bastau/e2e/record.js");
const { bastauVerifier, VerifyError, canonicalLoads, canonicalText } = await import("../../src/bastau/static/bastau/e2e/verify.js");
const rec = bastauRecord(sodium, e2e);
const v = bastauVerifier(sodium, e2e, rec);
const F = JSON.parse(readFileSync(new URL("./fixtures/mini-record.json", import.meta.url), "utf8"));
const enc = (s) => new TextEncoder().encode(s);

test("the mini-election record verifies, with its counts and head", () => {
  const stages = [];
  const s = v.verifyRecord(enc(F.record), { final: true, onProgress: (d, t, stage) => stages.push([d, t, stage]) });
  assert.equal(s.phi, F.phi);
  assert.equal(s.events, 9);
  assert.deepEqual(s.ballots, { online: 3, paper: 1 });
  assert.equal(s.batches, 2);
  assert.equal(s.shares, 3);
  assert.deepEqual(
    s.result.map((q) => [q.id, q.online, q.paper, q.total]),
    [
      ["A-01", [1, 2, 0], [1, 0, 1], [2, 2, 1]],
      ["B-02", [1, 1], [0, 0], [1, 1]],
    ],
  );
  const last = stages.at(-1);
  assert.equal(last[0], last[1]);
  assert.ok(stages.some(([, , st]) => st === "ballot"));
  for (let i = 1; i < stages.length; i++) assert.ok(stages[i][0] >= stages[i - 1][0]);
});

test("a record without RESULT passes as a record in progress, and fails when checked as final", () => {
  const lines = F.record.split("\n").filter(Boolean);
  const partial = lines.slice(0, 3).join("\n") + "\n";
  const s = v.verifyRecord(enc(partial));
  assert.equal(s.closed, false);
  assert.equal(s.result, null);
  assert.throws(() => v.verifyRecord(enc(partial), { final: true }), /no RESULT/);
});

test("a saved head: the record must extend it", () => {
  const lines = F.record.split("\n").filter(Boolean);
  const s3 = v.verifyRecord(enc(lines.slice(0, 3).join("\n") + "\n"));
  assert.equal(v.verifyRecord(enc(F.record), { head: s3.head }).events, 9);
  const other = { seq: s3.head.seq, hash: e2e.b64e(new Uint8Array(32)) };
  assert.throws(() => v.verifyRecord(enc(F.record), { head: other }), /does not extend the saved head/);
  assert.throws(() => v.verifyRecord(enc(lines.slice(0, 2).join("\n") + "\n"), { head: s3.head }), /shorter than the saved head/);
});

for (const c of F.cases) {
  test(`negative case: ${c.name} fails at event ${c.seq}`, () => {
    let err = null;
    try {
      v.verifyRecord(enc(c.record), { final: true });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof VerifyError, `expected a VerifyError, got ${err}`);
    assert.equal(err.seq, c.seq, err.message);
    // The Python verifier's first failure names the same event ("event N ...", "line N", or a
    // SETUP object such as "credentials" or "manifest").
    assert.ok(c.python_where, "the Python verifier must refuse the case too");
    const ev = /^event (\d+)/.exec(c.python_where);
    const line = /^line (\d+)/.exec(c.python_where);
    const pySeq = ev ? Number(ev[1]) : line ? Number(line[1]) - 1 : 0;
    assert.equal(err.seq, pySeq, `${err.message} / python: ${c.python_where}: ${c.python_message}`);
    assert.match(err.message.toLowerCase(), new RegExp(c.needle.toLowerCase()), err.message);
  });
}

test("the receipt verifies with the server key, and not for another tracker", () => {
  const chain = v.verifyChainOnly(enc(F.record));
  const r = v.verifyReceipt(F.receipt, chain.serverKey, e2e.b64d(F.phi));
  assert.equal(e2e.b64e(r.T), F.receipt.tracker);
  const forged = { ...F.receipt, tracker: e2e.b64e(new Uint8Array(32).fill(7)) };
  assert.throws(() => v.verifyReceipt(forged, chain.serverKey), /signature on the receipt/);
});

test("the one-tap check: the receipt's tracker is in a signed BATCH of the chain", () => {
  const lines = F.record.split("\n").filter(Boolean);
  const T = e2e.b64d(F.receipt.tracker);
  let found = null;
  lines.forEach((line, seq) => {
    const ev = JSON.parse(line);
    if (ev.type !== "BATCH") return;
    ev.payload.ballots.forEach((b, i) => {
      const raw = e2e.b64d(b.ballot);
      if (e2e.equalBytes(e2e.tracker(raw.subarray(0, raw.length - 64)), T)) found = { line, seq, i, ev };
    });
  });
  assert.ok(found);
  const leaves = found.ev.payload.ballots.map((b) => {
    const raw = e2e.b64d(b.ballot);
    return rec.leafHash(e2e.tracker(raw.subarray(0, raw.length - 64)), raw.subarray(raw.length - 64));
  });
  const path = rec.inclusionPath(leaves, found.i).map(e2e.b64e);
  const ok = v.checkTracker({ T, eventLine: found.line, index: found.i, path, recordBytes: enc(F.record) });
  assert.equal(ok.seq, found.seq);
  assert.equal(ok.events, 9);
  const wrongPath = path.map((p, k) => (k === 0 ? e2e.b64e(new Uint8Array(32)) : p));
  if (path.length) assert.throws(() => v.checkTracker({ T, eventLine: found.line, index: found.i, path: wrongPath, recordBytes: enc(F.record) }), /Merkle path/);
  const forged = found.line.replace('"day":"', '"day":"1');
  assert.throws(() => v.checkTracker({ T, eventLine: forged, index: found.i, path, recordBytes: enc(F.record) }), VerifyError);
});

test("canonical lines: the rules of bastau.primaries.e2e.canonical", () => {
  assert.deepEqual(canonicalLoads(enc('{"a":[1,true,"қ"],"b":{}}')), { a: [1, true, "қ"], b: {} });
  const refused = [
    ['{"b":1,"a":2}', "canonical"],
    ['{"a":1,"a":1}', "canonical"],
    ['{"a": 1}', "canonical"],
    ['{"a":1.0}', "canonical"],
    ['{"a":-1}', "out of range"],
    ['{"a":9007199254740992}', "out of range"],
    ['{"a":null}', "null"],
    ['"\\ud800"', "Unicode"],
    ['{"a":"\\u0041"}', "canonical"],
    ["\ufeff{}", "byte-order"],
  ];
  for (const [text, why] of refused) assert.throws(() => canonicalLoads(enc(text)), new RegExp(why), text);
  assert.throws(() => canonicalLoads(new Uint8Array([0x22, 0xff, 0x22])), /UTF-8/);
  assert.equal(canonicalText({ b: "\n\u0001\"", a: "\u2028" }), '{"a":"\u2028","b":"\\n\\u0001\\""}');
});

test("the mini-election vector (tests/vectors/e2e-v1-election.*) verifies with its result, heads and receipts", () => {
  const V = JSON.parse(readFileSync(new URL("../vectors/e2e-v1-election.json", import.meta.url), "utf8"));
  const bytes = readFileSync(new URL("../vectors/e2e-v1-election.jsonl", import.meta.url));
  const s = v.verifyRecord(new Uint8Array(bytes), { final: true, phi: e2e.b64d(V.phi) });
  assert.equal(s.phi, V.phi);
  assert.deepEqual(
    s.result.map((q) => ({ id: q.id, online: q.online, paper: q.paper, total: q.total })),
    V.result.questions.map((q) => ({ id: q.id, online: q.online, paper: q.paper, total: q.total })),
  );
  const heads = JSON.parse(V.heads);
  assert.equal(heads.election, V.phi);
  for (const h of heads.heads) assert.equal(v.verifyRecord(new Uint8Array(bytes), { head: h }).events, s.events);
  assert.equal(s.head.hash, heads.heads.at(-1).hash);
  const chain = v.verifyChainOnly(new Uint8Array(bytes));
  assert.equal(e2e.b64e(chain.serverKey), V.server_key);
  for (const r of V.receipts) assert.equal(e2e.b64e(v.verifyReceipt(r, chain.serverKey, e2e.b64d(V.phi)).T), r.tracker);
});

test("the mini-election with a VOID (tests/vectors/e2e-v1-void.jsonl) verifies; its result is unchanged", () => {
  const V = JSON.parse(readFileSync(new URL("../vectors/e2e-v1-election.json", import.meta.url), "utf8"));
  const bytes = readFileSync(new URL("../vectors/e2e-v1-void.jsonl", import.meta.url));
  const s = v.verifyRecord(new Uint8Array(bytes), { final: true, phi: e2e.b64d(V.phi) });
  assert.equal(s.events, 11);
  assert.deepEqual(s.result.map((q) => q.total), V.result.questions.map((q) => q.total));
  const lines = new TextDecoder().decode(bytes).trim().split("\n");
  const voidEvent = JSON.parse(lines[3]);
  assert.equal(voidEvent.type, "VOID");
  assert.equal(voidEvent.payload.credentials.length, 1);
  // A VOID re-signed by the server but not by the CA: negative vector void-bad-signature, below.
});

test("the audit checker (audit.js) shows the revealed choices and refuses changed files", async () => {
  const { checkAuditFile, AuditError } = await import("../../src/bastau/static/bastau/e2e/audit.js");
  const setup = JSON.parse(F.record.split("\n")[0]);
  const file = {
    format: "bastau-e2e-audit/1",
    election: F.phi,
    manifest: canonicalText(setup.payload.manifest),
    question: "A-01",
    audit: F.audit,
  };
  const r = checkAuditFile(e2e, v, file);
  assert.deepEqual(r.chosen, ["Айгүл Серікқызы", "Бауыржан Асқаров"]);
  assert.equal(r.tracker, F.audit.tracker);
  const changed = structuredClone(file);
  changed.audit.m[0] = [0, 1, 1];
  assert.throws(() => checkAuditFile(e2e, v, changed), AuditError);
  const otherManifest = { ...file, manifest: file.manifest.replace("Дина Омарова", "Дина") };
  assert.throws(() => checkAuditFile(e2e, v, otherManifest), /phi/);
  const swapped = structuredClone(file);
  swapped.audit.r[0].reverse();
  assert.throws(() => checkAuditFile(e2e, v, swapped), /NOT hold/);
});

test("a ballot made and audited in JS passes the audit checker; its cast twin verifies", () => {
  const setup = JSON.parse(F.record.split("\n")[0]);
  const M = setup.payload.manifest;
  const man = v.checkManifest(M);
  const phi = e2e.b64d(F.phi);
  const q = man.questions[0];
  const election = { phi, Y: man.Y, questions: [{ id: q.id, n: q.n, kmin: q.kmin, kmax: q.kmax }] };
  const { x, X } = e2e.credentialKey(M.uuid, F.credential);
  const made = e2e.encryptBallot({ ...election, X, choices: [[0, 0, 1]], rng: e2e.systemRng() });
  assert.deepEqual(e2e.checkAudit(e2e.auditRecord(made), election), [[0, 0, 1]]);
  const again = e2e.encryptBallot({ ...election, X, choices: [[0, 0, 1]], rng: e2e.systemRng() });
  assert.notEqual(e2e.b64e(again.T), e2e.b64e(made.T));
  const ballot = e2e.castBallot({ body: again.body, T: again.T, phi, x, X, rng: e2e.systemRng() });
  assert.equal(e2e.b64e(e2e.verifyBallot(ballot, election).T), e2e.b64e(again.T));
});

// The Python side's negative vectors (tests/vectors/e2e-v1-negative, index.json): each file must
// be refused by the browser verifier too (as final, with the pinned key and saved heads when the
// entry gives them), at the event the Python verifier names when it names one.
const NEG = new URL("../vectors/e2e-v1-negative/", import.meta.url);
const INDEX = JSON.parse(readFileSync(new URL("index.json", NEG), "utf8"));
// Checks only the Python verifier makes (none today: the browser rebuilds the lists too).
const PYTHON_ONLY = new Set([]);

for (const c of INDEX) {
  test(`negative vector ${c.name}: ${PYTHON_ONLY.has(c.name) ? "left to the Python verifier" : "refused"}`, () => {
    const bytes = new Uint8Array(readFileSync(new URL(c.file, NEG)));
    const options = { final: true };
    if (c.pinned) options.serverKey = e2e.b64d(c.pinned);
    if (c.heads) options.heads = JSON.parse(c.heads);
    let err = null;
    try {
      v.verifyRecord(bytes, options);
    } catch (e) {
      err = e;
    }
    if (PYTHON_ONLY.has(c.name)) {
      assert.equal(err, null, `now caught in the browser too: update PYTHON_ONLY and the docs (${err})`);
      return;
    }
    assert.ok(err instanceof VerifyError, `expected a VerifyError, got ${err}`);
    const ev = /^event (\d+)/.exec(c.where);
    const line = /^line (\d+)/.exec(c.where);
    if (ev) assert.equal(err.seq, Number(ev[1]), `${err.message} / python: ${c.where}: ${c.message}`);
    if (line) assert.equal(err.seq, Number(line[1]) - 1, `${err.message} / python: ${c.where}: ${c.message}`);
  });
}

test("shared proof checking: runs k = 0..of-1 together check every ballot's proofs", () => {
  const good = enc(F.record);
  for (let k = 0; k < 3; k++) assert.equal(v.verifyRecord(good, { final: true, share: { k, of: 3 } }).events, 9);
  const bad = F.cases.find((c) => c.name === "ballot proof");
  const outcomes = [0, 1, 2].map((k) => {
    try {
      v.verifyRecord(enc(bad.record), { final: true, share: { k, of: 3 } });
      return null;
    } catch (e) {
      return e;
    }
  });
  // Exactly the run that owns the tampered ballot finds it; the others pass its strict decoding.
  const failed = outcomes.filter((e) => e !== null);
  assert.equal(failed.length, 1, outcomes.map(String).join(" | "));
  assert.equal(failed[0].seq, 1);
  assert.throws(() => v.verifyRecord(good, { share: { k: 3, of: 3 } }), /share must be/);
});
