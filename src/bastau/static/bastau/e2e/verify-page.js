// verify/: the member's phone checks the whole record of a campaign in the worker, with progress,
// and names the failing object. The record is fetched from record.jsonl or opened from a file.
import { pageConfig, startWorker, getBytes, say, show, delayedProgress } from "./client.js";

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

// Several workers share the ballots' proofs (each checks every ballot's encoding and all the rest
// of the record, and the proofs of one ballot in `of`); the record verifies only if every worker
// says so. Small records use one worker.
const PARALLEL_FROM_BYTES = 2_000_000;
let pool = [];

function workers(n) {
  while (pool.length < n) pool.push(startWorker(config));
  return pool.slice(0, n);
}

async function run(getRecord, fromFile = false) {
  const err = $("e2e-error");
  show(err, false);
  show($("e2e-summary"), false);
  $("e2e-run").disabled = true;
  const progress = delayedProgress($("e2e-progress"), $("e2e-bar"), $("e2e-count"));
  try {
    const bytes = await getRecord();
    const cores = Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1));
    // ?workers=N (1 to 8) sets the number of workers whatever the record's size.
    const asked = Number(new URLSearchParams(location.search).get("workers"));
    const of = Number.isInteger(asked) && asked >= 1 && asked <= 8 ? asked : bytes.byteLength >= PARALLEL_FROM_BYTES ? cores : 1;
    const team = workers(of);
    await Promise.all(team.map((w) => w.ready));
    const heads = fromFile ? null : savedHeads();
    const done = new Array(of).fill([0, 1]);
    const report = () => progress.update([done.reduce((a, d) => a + d[0], 0), done.reduce((a, d) => a + d[1], 0)]);
    const runs = team.map((w, k) => {
      const copy = k === of - 1 ? bytes : bytes.slice(0);
      return w.call("verifyRecord", { bytes: copy, final: false, heads, share: { k, of } }, (p) => {
        done[k] = p;
        report();
      }, [copy]);
    });
    const settled = await Promise.allSettled(runs);
    const failures = settled.filter((r) => r.status === "rejected").map((r) => r.reason);
    if (failures.length) {
      failures.sort((a, b) => (a.seq ?? -1) - (b.seq ?? -1));
      throw failures[0];
    }
    const { summary } = settled[0].value;
    render(summary);
    if (heads && heads.heads.length) {
      const p = document.createElement("p");
      p.textContent = say(config, "heads_checked").replace("{n}", String(heads.heads.length));
      $("e2e-summary").appendChild(p);
    }
    if (!fromFile) keepHead(summary);
  } catch (e) {
    err.textContent = e.code === "verify" || e.code === "e2e" ? `${say(config, "failed")} ${e.message}` : say(config, e.code);
    show(err, true);
  } finally {
    progress.stop();
    $("e2e-run").disabled = false;
  }
}

$("e2e-run").addEventListener("click", () => run(() => getBytes(config.urls.record_jsonl)));
$("e2e-file").addEventListener("change", (ev) => {
  const f = ev.target.files[0];
  if (f) run(() => f.arrayBuffer(), true);
});
show($("e2e-ready"), true);
