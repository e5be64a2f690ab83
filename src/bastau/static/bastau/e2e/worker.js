// The Web Worker of the encrypted-ballot pages (vote/, verify/, check/): every libsodium call runs
// here, off the page's thread, and the member's secrets (the credential key x, the randomness of
// a ballot) never leave it. The page talks to it with messages {id, op, ...}; answers are
// {id, ok: true, ...} or {id, ok: false, error: {code, where, message}}; progress messages are
// {id, progress: [done, total, stage]}.
//
// Integrity: a worker's imports are not covered by the page's modulepreload hashes, so the page
// passes the expected sha384 of each module ("init") and the worker fetches each with
// fetch(url, {integrity}) before importing it (all imports are dynamic, after that check); a
// module that does not match is never imported. The worker file itself is checked by nobody
// but the server that serves the page: see docs/e2e-browser.md.

let E2EError = null;
let AuditError = null;
let checkAudit = null;
let sodium = null;
let e2e = null;
let rec = null;
let ver = null;
let VerifyError = null;
const state = { election: null, x: null, X: null, made: null, manifest: null, manifestText: null };

const fail = (code, message = "", where = "") => {
  const err = new Error(message || code);
  err.code = code;
  err.where = where;
  throw err;
};

async function init({ urls, integrity }) {
  if (e2e) return {};
  for (const [name, url] of Object.entries(urls)) {
    const hash = integrity && integrity[name];
    if (hash) {
      const res = await fetch(url, { integrity: hash });
      if (!res.ok) fail("integrity", `${name}: ${res.status}`);
    }
  }
  const { default: s } = await import(urls.sodium);
  await s.ready;
  sodium = s;
  const b = await import(urls.ballot);
  E2EError = b.E2EError;
  const a = await import(urls.audit);
  AuditError = a.AuditError;
  checkAudit = a.checkAuditFile;
  e2e = b.bastauE2E(s);
  const { bastauRecord } = await import(urls.record);
  rec = bastauRecord(s, e2e);
  const v = await import(urls.verify);
  VerifyError = v.VerifyError;
  ver = v.bastauVerifier(s, e2e, rec);
  return {};
}

const enc = new TextEncoder();

// The voting page: the package's manifest must hash to phi; the member's question; X from the
// credential (typed or from the URL fragment); its Merkle path checked against the manifest's
// credential root.
function prepare({ pkg, credential }) {
  const manifestBytes = enc.encode(pkg.manifest);
  const manifest = ver.canonicalLoads(manifestBytes, "manifest");
  const phi = e2e.Hd("election", manifestBytes);
  if (e2e.b64e(phi) !== pkg.phi) fail("phi", "the manifest does not hash to phi", "manifest");
  const man = ver.checkManifest(manifest);
  const q = man.questions.find((qq) => qq.id === pkg.question);
  if (!q) fail("question", `no question ${pkg.question}`, "package");
  if (e2e.b64e(man.credRoot) !== pkg.credentials.root || man.credCount !== pkg.credentials.count) {
    fail("credentials", "the credential root differs from the manifest's", "package");
  }
  if (!e2e.equalBytes(man.keys.server, e2e.b64d(pkg.server_key))) fail("server_key", "the server key differs from the manifest's", "package");
  let key;
  try {
    key = e2e.credentialKey(manifest.uuid, credential);
  } catch (err) {
    fail("credential", err.message, "credential");
  }
  state.x = key.x;
  state.X = key.X;
  state.manifest = man;
  state.manifestText = pkg.manifest;
  state.election = { phi, Y: man.Y, questions: [{ id: q.id, n: q.n, kmin: q.kmin, kmax: q.kmax }] };
  return {
    X: e2e.b64e(key.X),
    phi: pkg.phi,
    question: { id: q.id, title: q.title, kmax: q.kmax, candidates: q.candidates.map((c) => ({ id: c.id, name: c.name })) },
  };
}

// credential/ answered {question, index, count, path}: the leaf Hd(credential-leaf, question, X)
// must lead to the manifest's root.
function checkPath({ answer }) {
  const leaf = e2e.Hd("credential-leaf", answer.question, state.X);
  const path = answer.path.map((p) => e2e.b64d(p, "path"));
  if (answer.count !== state.manifest.credCount) fail("credential_path", "the list's size differs from the manifest's");
  if (!rec.verifyInclusion(leaf, answer.index, answer.count, path, state.manifest.credRoot)) {
    fail("credential_path", "the credential's Merkle path does not lead to the manifest's root");
  }
  if (answer.question !== state.election.questions[0].id) fail("credential_question", "the credential is for another list");
  return {};
}

function encrypt({ choices }) {
  const q = state.election.questions[0];
  const m = Array.from({ length: q.n }, (_, i) => (choices.includes(i) ? 1 : 0));
  state.made = e2e.encryptBallot({ ...state.election, X: state.X, choices: [m], rng: e2e.systemRng() });
  return { tracker: e2e.b64e(state.made.T) };
}

// Benaloh audit: the randomness is revealed, and this body can never be cast.
function audit() {
  if (!state.made) fail("no_ballot");
  const record = e2e.auditRecord(state.made);
  const q = state.election.questions[0];
  const file = {
    format: "bastau-e2e-audit/1",
    election: e2e.b64e(state.election.phi),
    manifest: state.manifestText,
    question: q.id,
    audit: record,
  };
  state.made = null;
  return { file };
}

function cast() {
  if (!state.made) fail("no_ballot");
  const { body, T } = state.made;
  const ballot = e2e.castBallot({ body, T, phi: state.election.phi, x: state.x, X: state.X, rng: e2e.systemRng() });
  state.made = null;
  return { ballot: e2e.b64e(ballot), tracker: e2e.b64e(T) };
}

function receipt({ receipt: r, tracker }) {
  const { T } = ver.verifyReceipt(r, state.manifest.keys.server, state.election.phi);
  if (e2e.b64e(T) !== tracker) fail("receipt", "the receipt is for another tracker", "receipt");
  return {};
}

// An audit file (the same checker as the standalone file's).
function checkAuditFile({ file }) {
  return checkAudit(e2e, ver, file);
}

function verifyRecord({ bytes, heads, final, share }, progress) {
  let last = 0;
  const summary = ver.verifyRecord(new Uint8Array(bytes), {
    heads: heads || undefined,
    share: share || null,
    final,
    onProgress: (done, total, stage) => {
      const now = Date.now();
      if (now - last > 100 || done === total) {
        last = now;
        progress([done, total, stage]);
      }
    },
  });
  return { summary };
}

function checkTracker({ T, answer, recordBytes, receipt: r }) {
  const chain = ver.verifyChainOnly(new Uint8Array(recordBytes));
  let receiptOk = null;
  if (r) {
    ver.verifyReceipt(r, chain.serverKey, e2e.b64d(chain.phi));
    receiptOk = true;
  }
  const out = ver.checkTracker({ T: e2e.b64d(T, "tracker"), eventLine: answer.event, index: answer.index, path: answer.path, recordBytes: new Uint8Array(recordBytes) });
  return { ...out, receipt: receiptOk, title: chain.manifest.title };
}

// The record as a stream (the verify/ page): streamStart, then streamChunk with each chunk of
// the response's body as it arrives (the page waits for the answers, so chunks never pile up
// here), then streamEnd for the summary. Each answer says how far the check is:
// {events, ballots} done so far. Only the current line and the verifier's running state are held.
let stream = null;

function streamStart({ heads, final, share }) {
  const done = { events: 0, ballots: 0 };
  const checker = ver.openRecord({
    heads: heads || undefined,
    share: share || null,
    final,
    tick: (stage) => {
      if (stage === "ballot") done.ballots++;
      else done.events++;
    },
  });
  stream = { checker, done };
  return {};
}

function streamChunk({ chunk }) {
  if (!stream) fail("not_ready");
  stream.checker.push(new Uint8Array(chunk));
  return { ...stream.done };
}

function streamEnd() {
  if (!stream) fail("not_ready");
  const { checker } = stream;
  stream = null;
  return { summary: checker.end() };
}

const OPS = { init, prepare, checkPath, encrypt, audit, cast, receipt, checkAuditFile, verifyRecord, streamStart, streamChunk, streamEnd, checkTracker };

self.onmessage = async (event) => {
  const { id, op, ...args } = event.data;
  try {
    if (!OPS[op]) fail("op", op);
    if (op !== "init" && !e2e) fail("not_ready");
    const out = await OPS[op](args, (p) => self.postMessage({ id, progress: p }));
    self.postMessage({ id, ok: true, ...out });
  } catch (err) {
    let code = err.code || "error";
    if (VerifyError && err instanceof VerifyError) code = "verify";
    else if (E2EError && err instanceof E2EError) code = code === "error" ? "e2e" : code;
    else if (AuditError && err instanceof AuditError) code = "audit";
    self.postMessage({ id, ok: false, error: { code, where: err.where || "", message: err.message, seq: err.seq ?? null } });
  }
};
