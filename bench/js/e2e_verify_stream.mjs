// The browser's record verifier on a record file, as a whole (verifyRecord on the file's bytes) or
// as a stream (openRecord fed 64 KB chunks, as the verify/ page feeds fetch's chunks); prints the
// time and the peak memory (RSS and heap, sampled every event):
//   node bench/js/e2e_verify_stream.mjs FILE whole|stream
import { createReadStream, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

import { load } from "../../tests/js/helpers.mjs";

const [path, mode = "stream"] = process.argv.slice(2);
const { sodium, e2e } = await load();
const { bastauRecord } = await import("../../src/bastau/static/bastau/e2e/record.js");
const { bastauVerifier } = await import("../../src/bastau/static/bastau/e2e/verify.js");
const v = bastauVerifier(sodium, e2e, bastauRecord(sodium, e2e));
let rss = 0;
let heap = 0;
const sample = () => {
  const m = process.memoryUsage();
  rss = Math.max(rss, m.rss);
  heap = Math.max(heap, m.heapUsed + m.arrayBuffers);
};
const t0 = performance.now();
let s;
if (mode === "whole") {
  const bytes = new Uint8Array(readFileSync(path));
  s = v.verifyRecord(bytes, { onProgress: sample });
} else {
  const checker = v.openRecord({ tick: sample });
  for await (const chunk of createReadStream(path, { highWaterMark: 65536 })) checker.push(chunk);
  s = checker.end();
}
sample();
const ms = performance.now() - t0;
const ballots = s.ballots.online + s.ballots.paper;
console.log(`${mode}: ${s.events} events, ${ballots} ballots, ${ms.toFixed(0)} ms; peak RSS ${(rss / 1e6).toFixed(0)} MB, heap+buffers ${(heap / 1e6).toFixed(0)} MB`);
