// The record read as a stream (verify.js openRecord, what the verify/ page's workers run on the
// chunks of fetch's ReadableStream): whatever the cut of the chunks, the summary is
// verifyRecord's, every negative case fails at the same event, and a record cut mid-line fails.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { load } from "./helpers.mjs";

const { sodium, e2e } = await load();
const { bastauRecord } = await import("../../src/bastau/static/bastau/e2e/record.js");
const { bastauVerifier, VerifyError } = await import("../../src/bastau/static/bastau/e2e/verify.js");
const v = bastauVerifier(sodium, e2e, bastauRecord(sodium, e2e));
const F = JSON.parse(readFileSync(new URL("./fixtures/mini-record.json", import.meta.url), "utf8"));
const ELECTION = new Uint8Array(readFileSync(new URL("../vectors/e2e-v1-election.jsonl", import.meta.url)));
const enc = (s) => new TextEncoder().encode(s);

// A seeded cut into chunks of 1..max bytes (xorshift, so a failure can be replayed).
function chunks(bytes, seed, max) {
  let x = seed >>> 0 || 1;
  const out = [];
  for (let i = 0; i < bytes.length; ) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const n = 1 + ((x >>> 0) % max);
    out.push(bytes.slice(i, i + n));
    i += n;
  }
  return out;
}

function streamed(bytes, options, seed = 7, max = 4096) {
  const s = v.openRecord(options);
  for (const c of chunks(bytes, seed, max)) s.push(c);
  return s.end();
}

test("streamed in any cut, the summary is the whole record's", () => {
  for (const bytes of [enc(F.record), ELECTION]) {
    const whole = v.verifyRecord(bytes, { final: true });
    for (const [seed, max] of [[1, 1], [2, 7], [3, 300], [4, 65536]]) {
      assert.deepEqual(streamed(bytes, { final: true }, seed, max), whole);
    }
  }
});

test("per-event ticks: one per event and per ballot", () => {
  const stages = [];
  const s = v.openRecord({ final: true, tick: (st) => stages.push(st) });
  s.push(enc(F.record));
  const summary = s.end();
  assert.equal(stages.filter((x) => x !== "ballot").length, summary.events);
  assert.equal(stages.filter((x) => x === "ballot").length, summary.ballots.online + summary.ballots.paper);
});

for (const c of F.cases) {
  test(`streamed negative case: ${c.name} fails at event ${c.seq}`, () => {
    let err = null;
    try {
      streamed(enc(c.record), { final: true }, c.name.length, 97);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof VerifyError, `expected a VerifyError, got ${err}`);
    assert.equal(err.seq, c.seq, err.message);
  });
}

test("a record cut mid-line, or empty, fails; after a failure every call throws", () => {
  const cut = enc(F.record).slice(0, enc(F.record).length - 5);
  assert.throws(() => streamed(cut, {}), /does not end with a newline/);
  assert.throws(() => v.openRecord({}).end(), /empty/);
  const s = v.openRecord({ final: true });
  const bad = F.cases[0];
  assert.throws(() => s.push(enc(bad.record)), VerifyError);
  assert.throws(() => s.push(enc("\n")), VerifyError);
  assert.throws(() => s.end(), VerifyError);
});
