// The Benaloh audit file's checker, shared by the worker (vote/) and the standalone checker file
// (audit-checker.html, opened from disk). The file, as the voting page saves it:
//   {"format": "bastau-e2e-audit/1", "election": b64(phi), "manifest": "<manifest text>",
//    "question": "<id>", "audit": {"version", "body", "tracker", "r", "m"}}
// The same checks as bastau.primaries.e2e.audit.check_file (and `bastau check_audit FILE`).

export class AuditError extends Error {}

export function checkAuditFile(e2e, ver, file) {
  if (file === null || typeof file !== "object" || Array.isArray(file)) throw new AuditError("not an audit file");
  const keys = Object.keys(file).sort().join(",");
  if (keys !== "audit,election,format,manifest,question" || file.format !== "bastau-e2e-audit/1") {
    throw new AuditError("not a bastau-e2e-audit/1 file");
  }
  if (typeof file.manifest !== "string") throw new AuditError("the manifest must be its text");
  const manifestBytes = new TextEncoder().encode(file.manifest);
  const manifest = ver.canonicalLoads(manifestBytes, "manifest");
  const man = ver.checkManifest(manifest);
  const phi = e2e.Hd("election", manifestBytes);
  if (file.election !== e2e.b64e(phi)) throw new AuditError("the manifest does not hash to the file's election fingerprint (phi)");
  const q = man.questions.find((qq) => qq.id === file.question);
  if (!q) throw new AuditError(`the manifest has no question ${file.question}`);
  let choices;
  try {
    choices = e2e.checkAudit(file.audit, { phi, Y: man.Y, questions: [{ id: q.id, n: q.n, kmin: q.kmin, kmax: q.kmax }] });
  } catch (err) {
    throw new AuditError(`this ballot does NOT hold these choices: ${err.message}`);
  }
  return {
    phi: e2e.b64e(phi),
    title: manifest.title,
    question: q.title,
    tracker: file.audit.tracker,
    chosen: q.candidates.filter((_, i) => choices[0][i] === 1).map((c) => c.name),
  };
}
