// The pages' side of worker.js: start it, send it requests, get promises back, and the shared
// helpers of the three pages (messages from the page's JSON script element, fetch with errors).

export function pageConfig() {
  const el = document.getElementById("e2e-config");
  return JSON.parse(el.textContent);
}

export class Failure extends Error {
  constructor(code, message, where = "", seq = null) {
    super(message);
    this.code = code;
    this.where = where;
    this.seq = seq;
  }
}

export function startWorker(config) {
  const worker = new Worker(config.urls.worker, { type: "module" });
  let next = 1;
  const pending = new Map();
  worker.onmessage = (event) => {
    const { id, progress, ok, error, ...rest } = event.data;
    const p = pending.get(id);
    if (!p) return;
    if (progress) {
      if (p.onProgress) p.onProgress(progress);
      return;
    }
    pending.delete(id);
    if (ok) p.resolve(rest);
    else p.reject(new Failure(error.code, error.message, error.where, error.seq));
  };
  worker.onerror = (event) => {
    for (const p of pending.values()) p.reject(new Failure("worker", event.message || "worker"));
    pending.clear();
  };
  const call = (op, args = {}, onProgress = null, transfer = []) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject, onProgress });
      worker.postMessage({ id, op, ...args }, transfer);
    });
  const ready = call("init", { urls: config.urls, integrity: config.integrity });
  return { call, ready, worker };
}

// fetch JSON; a JSON error answer {"error", "code"} becomes a Failure with the server's message.
export async function getJSON(url, options = {}) {
  let res;
  try {
    res = await fetch(url, { credentials: "same-origin", ...options });
  } catch {
    throw new Failure("network", "");
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    throw new Failure((body && body.code) || `http_${res.status}`, (body && body.error) || "", "", null);
  }
  return body;
}

export async function getBytes(url) {
  let res;
  try {
    res = await fetch(url, { credentials: "same-origin" });
  } catch {
    throw new Failure("network", "");
  }
  if (!res.ok) throw new Failure(`http_${res.status}`, "");
  return res.arrayBuffer();
}

// Text of a message by code, from the page's translated catalogue; falls back to the generic one.
export function say(config, code, fallback = "error") {
  return config.messages[code] || config.messages[fallback] || code;
}

export function show(el, on = true) {
  el.hidden = !on;
}

// A progress indication that appears only when the work takes more than half a second.
export function delayedProgress(box, bar, label) {
  let timer = setTimeout(() => show(box, true), 500);
  return {
    // total null: an indeterminate bar; text replaces the "done / total" label.
    update([done, total], text = null) {
      if (bar) {
        if (total) {
          bar.max = total;
          bar.value = Math.min(done, total);
        } else bar.removeAttribute("value");
      }
      if (label) label.textContent = text ?? `${done} / ${total}`;
    },
    stop() {
      clearTimeout(timer);
      timer = null;
      show(box, false);
    },
  };
}

export function download(name, text, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function groups(text, size = 4) {
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.join(" ");
}
