// Runs the browser's list builder (static/bastau/e2e/quota.js) on instances from a JSON file and
// prints the outcomes as JSON, for tests/primaries/test_e2e_quota_js.py to compare with quota.py.
//   node tests/js/quota_cli.mjs INSTANCES.json > OUTCOMES.json
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { buildList, QuotaInfeasible, ListLengthError } from "../../src/bastau/static/bastau/e2e/quota.js";

const sha256hex = (text) => createHash("sha256").update(text, "utf8").digest("hex");
const instances = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = instances.map((inst) => {
  try {
    const built = buildList({ ...inst, sha256hex });
    return { ok: built.rows };
  } catch (err) {
    if (err instanceof QuotaInfeasible) return { infeasible: err.toDict() };
    if (err instanceof ListLengthError) return { length_error: err.code };
    return { crash: String(err && err.stack) };
  }
});
process.stdout.write(JSON.stringify(out));
