// verify/: the member's phone checks the whole record of a campaign in the worker, with progress,
// and names the failing object. The record is read as a stream from record.jsonl or from a file.
import { pageConfig, startWorker, Failure, say, show, delayedProgress } from "./client.js";

const config = pageConfig();
const $ = (id) => document.getElementById(id);

function render(summary) {
  const out = $("e2e-summary");
  out.replaceChildren();
  const add = (tag, text, parent = out) => {
    const el = document.createElement(tag);
    el.textContent = text;
    parent.appendChild(el);
    return el;
  };
  add("p", `${say(config, "verified")} ${summary.title}`).className = "msg-success";
  const dl = add("dl", "");
  const row = (k, v) => {
    add("dt", say(config, k), dl);
    add("dd", String(v), dl);
  };
  row("label_phi", summary.phi);
  row("label_server_key", summary.serverKey);
  row("label_events", summary.events);
  row("label_ballots", `${summary.ballots.online} + ${summary.ballots.paper}`);
  row("label_head", `${summary.head.seq} · ${summary.head.hash}`);
  if (!summary.result) add("p", say(config, "unfinished"));
  else {
    for (const q of summary.result) {
      const info = summary.questions.find((x) => x.id === q.id);
      add("h3", info ? info.title : q.id);
      const table = add("table", "");
      table.className = "e2e-result";
      const head = add("tr", "", table);
      for (const k of ["label_candidate", "label_online", "label_paper", "label_total"]) add("th", say(config, k), head);
      info.candidates.forEach((c, i) => {
        const tr = add("tr", "", table);
        for (const v of [c.name, q.online[i], q.paper[i], q.total[i]]) add("td", String(v), tr);
      });
    }
  }
  show(out, true);
}

// Heads seen on this device (verify-diff in the browser): after each successful check the head is
// kept, and the next check requires the record to extend every kept head, so a server that
// rewrites history it showed this phone before is caught as a fork.
const HEADS_KEY = `bastau-e2e-heads:${config.urls.record_jsonl}`;

function savedHeads() {
  try {
    const v = JSON.parse(localStorage.getItem(HEADS_KEY) || "null");
    return v && typeof v.election === "string" && Array.isArray(v.heads) ? v : null;
  } catch {
    return null;
  }
}

function keepHead(summary) {
  const old = savedHeads();
  const heads = old && old.election === summary.phi ? old.heads.filter((h) => h.seq !== summary.head.seq) : [];
  heads.push(summary.head);
  heads.sort((a, b) => a.seq - b.seq);
  try {
    localStorage.setItem(HEADS_KEY, JSON.stringify({ election: summary.phi, heads: heads.slice(-20) }));
  } catch {
    // private browsing: nothing kept
  }
}

// The record is read as a stream (fetch's ReadableStream, or the opened file's): each chunk, as it
// arrives, goes to every worker, and the page reads the next one only while at most WINDOW chunks
// wait for the slowest worker. So neither the page nor a worker ever holds the whole record: a
// phone verifies a district's record in the memory of one line plus the running sums.
// Several workers share the ballots' proofs (each checks every ballot's encoding and all the rest
// of the record, and the proofs of one ballot in `of`); the record verifies only if every worker
// says so. Small records (known to be under PARALLEL_FROM_BYTES) use one worker.
const PARALLEL_FROM_BYTES = 2_000_000;
const WINDOW = 4;
let pool = [];

function workers(n) {
  while (pool.length < n) pool.push(startWorker(config));
  return pool.slice(0, n);
}

async function openUrl(url) {
  let res;
  try {
    res = await fetch(url, { credentials: "same-origin" });
  } catch {
    throw new Failure("network", "");
  }
  if (!res.ok || !res.body) throw new Failure(`http_${res.status}`, "");
  const number = (name) => {
    const v = Number(res.headers.get(name));
    return Number.isSafeInteger(v) && v > 0 ? v : null;
  };
  return { stream: res.body, bytes: number("Content-Length"), events: number("X-Record-Events") };
}

// The first failure in record order among all the workers' answers.
function firstFailure(failures) {
  failures.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
  return failures[0];
}

async function settleAll(calls) {
  const settled = await Promise.allSettled(calls);
  const failures = settled.filter((r) => r.status === "rejected").map((r) => r.reason);
  if (failures.length) throw firstFailure(failures);
  return settled.map((r) => r.value);
}

async function run(open, fromFile = false) {
  const err = $("e2e-error");
  show(err, false);
  show($("e2e-summary"), false);
  $("e2e-run").disabled = true;
  const progress = delayedProgress($("e2e-progress"), $("e2e-bar"), $("e2e-count"));
  let reader = null;
  try {
    const src = await open();
    const cores = Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1));
    // ?workers=N (1 to 8) sets the number of workers whatever the record's size.
    const asked = Number(new URLSearchParams(location.search).get("workers"));
    const small = src.bytes !== null && src.bytes < PARALLEL_FROM_BYTES;
    const of = Number.isInteger(asked) && asked >= 1 && asked <= 8 ? asked : small ? 1 : cores;
    const team = workers(of);
    await Promise.all(team.map((w) => w.ready));
    const heads = fromFile ? null : savedHeads();
    await settleAll(team.map((w, k) => w.call("streamStart", { heads, final: false, share: { k, of } })));
    let checked = 0;
    let done = { events: 0, ballots: 0 };
    const report = () => {
      const mb = (checked / 1e6).toFixed(1);
      const text = say(config, "progress_stream").replace("{ballots}", String(done.ballots)).replace("{mb}", mb);
      if (src.bytes) progress.update([checked, src.bytes], text);
      else if (src.events) progress.update([done.events, Math.max(src.events, done.events)], text);
      else progress.update([0, null], text);
    };
    reader = src.stream.getReader();
    const inflight = [];
    let failed = null;
    for (;;) {
      let part;
      try {
        part = await reader.read();
      } catch {
        throw new Failure("network", "");
      }
      if (part.done) break;
      const size = part.value.byteLength;
      const calls = team.map((w) => {
        const copy = part.value.slice();
        return w.call("streamChunk", { chunk: copy.buffer }, null, [copy.buffer]);
      });
      const step = settleAll(calls).then((answers) => {
        done = answers[0];
        checked += size;
        report();
      });
      step.catch(() => {}); // handled below, in order; not an unhandled rejection meanwhile
      inflight.push(step);
      if (inflight.length >= WINDOW) {
        try {
          await inflight.shift();
        } catch (e) {
          failed = e;
          break;
        }
      }
    }
    // Wait for the chunks still in the workers; on a failure, stop reading and name the first
    // failing object in record order among every worker's answer.
    const rest = await Promise.allSettled(inflight);
    const failures = rest.filter((r) => r.status === "rejected").map((r) => r.reason);
    if (failed) failures.push(failed);
    if (failures.length) throw firstFailure(failures);
    const [{ summary }] = await settleAll(team.map((w) => w.call("streamEnd")));
    render(summary);
    if (heads && heads.heads.length) {
      const p = document.createElement("p");
      p.textContent = say(config, "heads_checked").replace("{n}", String(heads.heads.length));
      $("e2e-summary").appendChild(p);
    }
    if (!fromFile) keepHead(summary);
  } catch (e) {
    if (reader) reader.cancel().catch(() => {});
    err.textContent = e.code === "verify" || e.code === "e2e" ? `${say(config, "failed")} ${e.message}` : say(config, e.code);
    show(err, true);
  } finally {
    progress.stop();
    $("e2e-run").disabled = false;
  }
}

$("e2e-run").addEventListener("click", () => run(() => openUrl(config.urls.record_jsonl)));
$("e2e-file").addEventListener("change", (ev) => {
  const f = ev.target.files[0];
  if (f) run(async () => ({ stream: f.stream(), bytes: f.size || null, events: null }), true);
});
show($("e2e-ready"), true);
