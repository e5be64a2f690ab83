// Time the browser's record verifier (static/bastau/e2e/verify.js) under Node on a record file:
//   node bench/js/e2e_verify_record.mjs [tests/vectors/e2e-v1-election.jsonl] [runs]
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

import { load } from "../../tests/js/helpers.mjs";

const path = process.argv[2] || "tests/vectors/e2e-v1-election.jsonl";
const runs = Number(process.argv[3] || 5);
const { sodium, e2e } = await load();
const { bastauRecord } = await import("../../src/bastau/static/bastau/e2e/record.js");
const { bastauVerifier } = await import("../../src/bastau/static/bastau/e2e/verify.js");
const v = bastauVerifier(sodium, e2e, bastauRecord(sodium, e2e));
const bytes = new Uint8Array(readFileSync(path));
const times = [];
let s;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  s = v.verifyRecord(bytes, { final: false });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const ballots = s.ballots.online + s.ballots.paper;
console.log(`${path}: ${s.events} events, ${ballots} ballots, ${bytes.length} bytes`);
console.log(`verify: median ${times[Math.floor(runs / 2)].toFixed(1)} ms (min ${times[0].toFixed(1)}), ${(times[Math.floor(runs / 2)] / Math.max(ballots, 1)).toFixed(1)} ms per ballot overall`);
