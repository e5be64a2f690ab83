// vote/: the member's browser encrypts, proves and signs the ballot (worker.js), shows the
// tracker, and lets the member audit (Benaloh: reveal, download, encrypt afresh) or cast; the
// server's receipt is checked and offered to save. The credential is typed, or read from the URL
// fragment (#c=...), which is never sent to the server, and removed from the address bar.
import { pageConfig, startWorker, getJSON, say, show, delayedProgress, download, groups, Failure } from "./client.js";

const config = pageConfig();
const $ = (id) => document.getElementById(id);
const steps = ["e2e-step-credential", "e2e-step-choose", "e2e-step-tracker", "e2e-step-audit", "e2e-step-receipt"];
let worker = null;
let question = null;
let tracker = null;
let lastReceipt = null;

function step(id) {
  for (const s of steps) show($(s), s === id);
  const el = $(id);
  const h = el.querySelector("h2, h3, legend");
  if (h) {
    h.tabIndex = -1;
    h.focus();
  }
}

// Server codes (views/e2e_api.py) that have a fuller message on this page; the others are shown
// with the server's own translated text.
const ALIASES = { "already-voted": "voted", "unknown-credential": "credential_unknown" };

function error(e) {
  const box = $("e2e-error");
  if (e instanceof Failure && ALIASES[e.code]) e = new Failure(ALIASES[e.code], e.message);
  let text;
  if (e instanceof Failure && config.messages[e.code]) text = config.messages[e.code];
  else if (e instanceof Failure && e.message && e.code !== "verify" && e.code !== "e2e" && !e.code.startsWith("http_")) text = e.message;
  else text = say(config, e && e.code, "error");
  if (e && (e.code === "verify" || e.code === "e2e") && e.message) text += ` (${e.message})`;
  box.textContent = text;
  show(box, true);
  box.focus();
}

function clearError() {
  show($("e2e-error"), false);
}

function busy(on) {
  for (const b of document.querySelectorAll("[data-e2e-action]")) b.disabled = on;
}

async function open(ev) {
  ev.preventDefault();
  clearError();
  busy(true);
  try {
    const credential = $("e2e-credential").value.trim();
    if (!credential) throw new Failure("credential_empty", "");
    worker = worker || startWorker(config);
    await worker.ready.catch(() => {
      throw new Failure("library", "");
    });
    const pkg = await getJSON(config.urls.package);
    if (pkg.voted) throw new Failure("voted", "");
    const prepared = await worker.call("prepare", { pkg, credential });
    const answer = await getJSON(`${config.urls.credential}?key=${encodeURIComponent(prepared.X)}`).catch((e) => {
      throw e.code === "http_404" || e.code === "unknown-credential" ? new Failure("credential_unknown", "") : e;
    });
    await worker.call("checkPath", { answer });
    question = prepared.question;
    renderChoices();
    step("e2e-step-choose");
  } catch (e) {
    error(e);
  } finally {
    busy(false);
  }
}

function renderChoices() {
  $("e2e-question-title").textContent = question.title;
  $("e2e-rule").textContent = say(config, question.kmax === 1 ? "rule_one" : "rule_many").replace("{k}", String(question.kmax));
  const list = $("e2e-candidates");
  list.replaceChildren();
  question.candidates.forEach((c, i) => {
    const label = document.createElement("label");
    label.className = "option";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = "e2e-choice";
    input.value = String(i);
    input.addEventListener("change", limit);
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = c.name;
    label.append(input, name);
    list.appendChild(label);
  });
  limit();
}

function chosen() {
  return [...document.querySelectorAll("input[name=e2e-choice]:checked")].map((i) => Number(i.value));
}

function limit() {
  const n = chosen().length;
  for (const i of document.querySelectorAll("input[name=e2e-choice]")) i.disabled = !i.checked && n >= question.kmax;
  $("e2e-chosen").textContent = say(config, "chosen").replace("{n}", String(n)).replace("{k}", String(question.kmax));
}

async function encrypt() {
  clearError();
  busy(true);
  const progress = delayedProgress($("e2e-progress"), null, null);
  try {
    const out = await worker.call("encrypt", { choices: chosen() });
    tracker = out.tracker;
    $("e2e-tracker").textContent = groups(tracker);
    const names = chosen().map((i) => question.candidates[i].name);
    $("e2e-summary").textContent = names.length ? names.join(", ") : say(config, "blank");
    step("e2e-step-tracker");
  } catch (e) {
    error(e);
  } finally {
    progress.stop();
    busy(false);
  }
}

async function audit() {
  clearError();
  busy(true);
  try {
    const { file } = await worker.call("audit");
    const text = JSON.stringify(file);
    $("e2e-audit-tracker").textContent = groups(file.audit.tracker);
    const names = question.candidates.filter((_, i) => file.audit.m[0][i] === 1).map((c) => c.name);
    $("e2e-audit-choices").textContent = names.length ? names.join(", ") : say(config, "blank");
    $("e2e-audit-save").onclick = () => download(`audit-${file.audit.tracker.slice(0, 8)}.json`, text);
    step("e2e-step-audit");
  } catch (e) {
    error(e);
  } finally {
    busy(false);
  }
}

async function cast() {
  clearError();
  busy(true);
  try {
    const { ballot, tracker: T } = await worker.call("cast");
    const answer = await getJSON(config.urls.cast, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrf },
      body: JSON.stringify({ question: question.id, ballot }),
    });
    await worker.call("receipt", { receipt: answer.receipt, tracker: T }).catch(() => {
      throw new Failure("receipt_bad", "");
    });
    lastReceipt = answer.receipt;
    $("e2e-receipt-tracker").textContent = groups(T);
    $("e2e-receipt-day").textContent = answer.receipt.day;
    $("e2e-check-link").href = `${config.urls.check_page}#t=${encodeURIComponent(T)}`;
    step("e2e-step-receipt");
  } catch (e) {
    error(e);
    // A ballot that was not accepted is never sent again: encrypt afresh.
    if (question) step("e2e-step-choose");
  } finally {
    busy(false);
  }
}

// The credential from the fragment: read, then removed from the address bar and history.
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get("c")) {
  $("e2e-credential").value = fragment.get("c");
  history.replaceState(null, "", location.pathname + location.search);
}
$("e2e-open").addEventListener("submit", open);
$("e2e-encrypt").addEventListener("click", encrypt);
$("e2e-cast").addEventListener("click", cast);
$("e2e-audit").addEventListener("click", audit);
$("e2e-again").addEventListener("click", encrypt);
$("e2e-receipt-save").addEventListener("click", () => download(`receipt-${tracker.slice(0, 8)}.json`, JSON.stringify(lastReceipt)));
$("e2e-back").addEventListener("click", () => step("e2e-step-choose"));
show($("e2e-step-credential"), true);
