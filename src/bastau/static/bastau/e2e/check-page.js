// check/: the one-tap tracker check. From a receipt (file or pasted) or a tracker, fetch
// tracker/<T>/, then check in the worker the Merkle path to the BATCH event, that event's
// signature, and its chain to the record's current head (and the receipt's signature).
import { pageConfig, startWorker, getJSON, getBytes, say, show, Failure } from "./client.js";

const config = pageConfig();
const $ = (id) => document.getElementById(id);
let worker = null;

function parseInput(text) {
  const t = text.trim();
  if (t.startsWith("{")) {
    let r;
    try {
      r = JSON.parse(t);
    } catch {
      throw new Failure("receipt_unreadable", "");
    }
    if (!r || typeof r.tracker !== "string") throw new Failure("receipt_unreadable", "");
    return { T: r.tracker, receipt: r };
  }
  const T = t.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9_-]{43}$/.test(T)) throw new Failure("tracker_malformed", "");
  return { T, receipt: null };
}

async function check(ev) {
  if (ev) ev.preventDefault();
  const out = $("e2e-result");
  const err = $("e2e-error");
  show(out, false);
  show(err, false);
  $("e2e-check").disabled = true;
  try {
    const { T, receipt } = parseInput($("e2e-input").value);
    worker = worker || startWorker(config);
    await worker.ready;
    const answer = await getJSON(`${config.urls.tracker}${encodeURIComponent(T)}/`).catch((e) => {
      throw e.code === "http_404" || e.code === "unknown-tracker" ? new Failure("tracker_unknown", "") : e;
    });
    if (answer.status === "pending") throw new Failure("tracker_pending", "");
    if (answer.status === "rejected") throw new Failure("tracker_rejected", answer.reason || "");
    const bytes = await getBytes(config.urls.record_jsonl);
    const res = await worker.call("checkTracker", { T, answer, recordBytes: bytes, receipt }, null, [bytes]);
    out.textContent = say(config, "found")
      .replace("{seq}", String(res.seq))
      .replace("{head}", String(res.head.seq))
      .replace("{hash}", res.head.hash);
    if (res.receipt) out.textContent += ` ${say(config, "receipt_ok")}`;
    show(out, true);
  } catch (e) {
    let text = config.messages[e.code] || (e.message && !["verify", "e2e"].includes(e.code) ? e.message : say(config, "failed"));
    if (e.code === "verify" || e.code === "e2e" || (e.code === "tracker_rejected" && e.message)) text += ` ${e.message}`;
    err.textContent = text;
    show(err, true);
  } finally {
    $("e2e-check").disabled = false;
  }
}

$("e2e-form").addEventListener("submit", check);
$("e2e-file").addEventListener("change", async (ev) => {
  const f = ev.target.files[0];
  if (f) {
    $("e2e-input").value = await f.text();
    check();
  }
});
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get("t")) {
  $("e2e-input").value = fragment.get("t");
  check();
}
