// The quota-adjusted party list (DESIGN.md 3.1-3.2), a line-by-line port of
// src/bastau/primaries/quota.py's build_list for the browser verifier. No libraries: the caller
// passes sha256hex(text) -> lowercase hex (the lot's tie-break), so the module runs in a worker on
// libsodium and under Node on node:crypto alike.
//
// Of all lists of `length` that meet every quota, buildList returns the one whose sequence of vote
// ranks is lexicographically smallest: each position takes the highest-ranked remaining candidate
// after whom the rest of the list can still be completed (an exact feasibility test: a closed form
// for one or two groups, a memoised search for three or four). A share p% of a list of L is met
// when count * 100 >= p * L (integers only). tests/js/quota_agree.test.mjs runs it against
// quota.py on hundreds of random candidate sets; both must agree exactly.
//
//     buildList({ candidates: [{id, name, votes, groups: [group ids]}], length, rules,
//                 prefix, seed, sha256hex })
//       -> { rows: [{position, id, vote_rank, groups, reason}], ranking: [ids] }
//     throws QuotaInfeasible {length, joint, shortages: [{group, label, needed, available,
//       within_top}]} when no list exists, ListLengthError when length is out of range.

export const MAX_GROUPS = 4;

export class QuotaError extends Error {
  constructor(message, params = {}) {
    super(message);
    this.name = "QuotaError";
    this.params = params;
  }
}

export class ListLengthError extends QuotaError {
  get code() {
    return "list_length";
  }
}

export class QuotaInfeasible extends QuotaError {
  constructor(length, shortages, joint = false) {
    super(infeasibleMessage(length, shortages, joint), { length, joint });
    this.name = "QuotaInfeasible";
    this.length = length;
    this.shortages = shortages;
    this.joint = joint;
  }
  get code() {
    return "quota_infeasible";
  }
  toDict() {
    return { code: this.code, length: this.length, joint: this.joint, shortages: this.shortages, message: this.message };
  }
}

function infeasibleMessage(length, shortages, joint) {
  const head = `No list of ${length} can meet the quotas: `;
  if (!joint) {
    const parts = shortages.map(
      (s) => `the quota for ${s.label} needs at least ${s.needed} and only ${s.available} ${s.available === 1 ? "candidate qualifies" : "candidates qualify"}`,
    );
    return `${head}${parts.join("; ")}.`;
  }
  const k = shortages.length ? shortages[0].within_top : null;
  const where = k !== null ? `within the top ${k} places` : "in the list";
  const needs = shortages.map((s) => `${s.label} need ${s.needed}`).join(", ");
  return `${head}${needs} ${where}, and too few candidates count for more than one group for all of these to fit together.`;
}

// ------------------------------------------------------------------ rule sets

const KINDS = ["woman", "youth", "disability", "any"];

// A rule set in its published form {id, label, groups: [{id, label, min_share, predicate}]},
// checked as quota.py's RuleSet.from_dict checks it.
export function checkRules(data) {
  if (data === null || typeof data !== "object") throw new QuotaError("a rule set is an object");
  const groups = data.groups;
  if (!Array.isArray(groups)) throw new QuotaError("a rule set needs a list of groups");
  if (groups.length > MAX_GROUPS) throw new QuotaError(`a rule set may have at most ${MAX_GROUPS} groups`);
  const ids = new Set();
  for (const g of groups) {
    if (typeof g.id !== "string" || !/^[a-z0-9][a-z0-9_-]*$/.test(g.id)) throw new QuotaError(`group id ${g.id}: use lowercase letters, digits, '_' and '-'`);
    if (ids.has(g.id)) throw new QuotaError(`rule set ${data.id}: duplicate group ids`);
    ids.add(g.id);
    if (!Number.isInteger(g.min_share) || g.min_share < 0 || g.min_share > 100) throw new QuotaError(`group ${g.id}: min_share must be an integer percent 0..100`);
    checkPredicate(g.predicate);
  }
  return data;
}

function checkPredicate(p) {
  if (p === null || typeof p !== "object" || !KINDS.includes(p.kind)) throw new QuotaError("unknown predicate kind");
  if (p.kind === "any") {
    if (!Array.isArray(p.of) || p.of.length === 0) throw new QuotaError('"of" must list the predicates of an "any" predicate');
    p.of.forEach(checkPredicate);
  }
}

// Does a candidate with published flags {woman, youth, disability} count for predicate p? (The
// record publishes each candidate's flags at the reference date; "youth" is the rule set's one age.)
export function matches(p, flags) {
  if (p.kind === "woman") return Boolean(flags.woman);
  if (p.kind === "youth") return Boolean(flags.youth);
  if (p.kind === "disability") return Boolean(flags.disability);
  return p.of.some((q) => matches(q, flags));
}

export function groupsOf(rules, flags) {
  return rules.groups.filter((g) => matches(g.predicate, flags)).map((g) => g.id);
}

const needed = (share, length) => Math.floor((share * length + 99) / 100);
const neededInTop = (share, k) => Math.floor((share * k) / 100);
const popcount = (t) => {
  let n = 0;
  for (let x = t; x; x >>= 1) n += x & 1;
  return n;
};

// req[j][k]: the least count of group j the top k must hold, k = 0..L.
export function requirements(rules, length, prefix) {
  return rules.groups.map((g) => {
    const row = [];
    for (let k = 0; k < length; k++) row.push(prefix ? neededInTop(g.min_share, k) : 0);
    row.push(needed(g.min_share, length));
    return row;
  });
}

// ------------------------------------------------------------------ ranking

export function lotKey(sha256hex, seed, id) {
  return sha256hex(`${seed}:${id}`);
}

// Candidates in vote order: most votes first; ties by the lot (seed) or, without a seed, by the
// given order (the record's candidate order is the registration order).
export function rankCandidates(candidates, seed, sha256hex) {
  const ids = candidates.map((c) => c.id);
  if (new Set(ids).size !== ids.length) throw new QuotaError("duplicate candidate ids");
  const indexed = candidates.map((c, i) => ({ c, i, key: seed === null || seed === undefined ? null : lotKey(sha256hex, seed, c.id) }));
  indexed.sort((a, b) => {
    if (a.c.votes !== b.c.votes) return b.c.votes - a.c.votes;
    if (a.key !== null) return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    return a.i - b.i;
  });
  return indexed.map((x) => x.c);
}

// ------------------------------------------------------------------ feasibility

class Feasibility {
  constructor(req, length) {
    this.req = req.map((r) => r.slice());
    this.g = this.req.length;
    this.length = length;
    this.cap = this.req.map((r) => r[length]);
    this.prefix = this.req.some((r) => r.slice(0, length).some((x) => x));
    this.memo = new Map();
    const types = [];
    for (let t = 0; t < 1 << this.g; t++) types.push(t);
    types.sort((a, b) => popcount(b) - popcount(a) || a - b);
    this.order = types;
    if (this.g <= 2) {
      const zeros = new Array(length + 1).fill(0);
      this.reqA = this.g >= 1 ? this.req[0] : zeros;
      this.reqB = this.g === 2 ? this.req[1] : zeros;
    }
  }

  check(i, counts, pool) {
    if (this.g <= 2) {
      if (this.g === 0) return true;
      if (this.g === 1) return this.two(i, counts[0], 0, 0, pool[1], 0);
      return this.two(i, counts[0], counts[1], pool[3], pool[1], pool[2]);
    }
    if (!this.bound(i, counts, pool)) return false;
    const capped = counts.map((c, j) => Math.min(c, this.cap[j]));
    return this.search(i, capped, pool.slice());
  }

  two(i, ca, cb, nAB, nA, nB) {
    const r = this.length - i;
    const both = Math.min(nAB, r);
    if (!this.prefix) {
      const needA = Math.max(0, this.reqA[this.length] - ca - both);
      const needB = Math.max(0, this.reqB[this.length] - cb - both);
      return needA <= nA && needB <= nB && needA + needB <= r - both;
    }
    const reqA = this.reqA;
    const reqB = this.reqB;
    let dueA = 0;
    let dueB = 0;
    for (let s = 1; s <= r; s++) {
      const ab = s < both ? s : both;
      const k = i + s;
      let need = reqA[k] - ca - ab;
      if (need > dueA) dueA = need;
      need = reqB[k] - cb - ab;
      if (need > dueB) dueB = need;
      if (dueA + dueB > s - ab) return false;
    }
    return dueA <= nA && dueB <= nB;
  }

  search(i, counts, pool) {
    if (i === this.length) return true;
    const r = this.length - i;
    const key = `${i}|${counts.join(",")}|${pool.map((n) => Math.min(n, r)).join(",")}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const result = this.necessary(r, counts, pool) && this.tryTypes(i, counts, pool);
    this.memo.set(key, result);
    return result;
  }

  necessary(r, counts, pool) {
    const members = new Array(this.g).fill(0);
    pool.forEach((n, t) => {
      if (n) for (let j = 0; j < this.g; j++) if ((t >> j) & 1) members[j] += n;
    });
    for (let j = 0; j < this.g; j++) {
      const missing = this.cap[j] - counts[j];
      if (missing > r || missing > members[j]) return false;
    }
    return true;
  }

  bound(i, counts, pool) {
    const r = this.length - i;
    const k = this.length;
    for (let subset = 1; subset < 1 << this.g; subset++) {
      const byGain = new Array(this.g + 1).fill(0);
      pool.forEach((n, t) => {
        byGain[popcount(t & subset)] += n;
      });
      let best = 0;
      let places = r;
      for (let gain = this.g; gain > 0; gain--) {
        const take = Math.min(byGain[gain], places);
        best += take * gain;
        places -= take;
      }
      let owed = 0;
      for (let j = 0; j < this.g; j++) if ((subset >> j) & 1) owed += Math.max(0, this.req[j][k] - counts[j]);
      if (owed > best) return false;
    }
    return true;
  }

  tryTypes(i, counts, pool) {
    const failed = [];
    const nxt = i + 1;
    for (const t of this.order) {
      if (!pool[t] || failed.some((f) => (f & t) === t)) continue;
      const neu = counts.map((c, j) => Math.min(c + ((t >> j) & 1), this.cap[j]));
      if (neu.every((c, j) => c >= this.req[j][nxt])) {
        const rest = pool.slice();
        rest[t] -= 1;
        if (this.search(nxt, neu, rest)) return true;
      }
      failed.push(t);
    }
    return false;
  }
}

const add = (counts, mask) => counts.map((c, j) => c + ((mask >> j) & 1));
const meets = (req, counts, k) => req.every((row, j) => counts[j] >= row[k]);
const idsOf = (rules, mask) => rules.groups.filter((_, j) => (mask >> j) & 1).map((g) => g.id);

// ------------------------------------------------------------------ the builder

export function buildList({ candidates, length, rules, prefix = false, seed = null, sha256hex }) {
  checkRules(rules);
  const ranked = rankCandidates(candidates, seed, sha256hex);
  if (!Number.isInteger(length) || length < 0) throw new ListLengthError(`list length must be a non-negative integer, not ${length}`);
  if (length > ranked.length) {
    throw new ListLengthError(`a list of ${length} needs at least ${length} candidates; there are ${ranked.length}`, { length, candidates: ranked.length });
  }
  const g = rules.groups.length;
  const bit = new Map(rules.groups.map((gr, j) => [gr.id, 1 << j]));
  const masks = ranked.map((c) => {
    let m = 0;
    for (const gid of new Set(c.groups || [])) m |= bit.get(gid) || 0;
    return m;
  });
  const req = requirements(rules, length, prefix);
  const feasible = new Feasibility(req, length);
  const pool = new Array(1 << g).fill(0);
  for (const m of masks) pool[m] += 1;
  let counts = new Array(g).fill(0);
  if (!feasible.check(0, counts, pool)) throw diagnose(rules, masks, length, req, prefix);

  const explainer = new Explainer(rules, ranked, masks, req, length, prefix);
  const remaining = ranked.map((_, i) => i);
  const rows = [];
  for (let position = 1; position <= length; position++) {
    const failed = new Set();
    const skipped = [];
    let chosenAt = -1;
    for (let at = 0; at < remaining.length; at++) {
      const idx = remaining[at];
      const m = masks[idx];
      if (!failed.has(m)) {
        const neu = add(counts, m);
        if (meets(req, neu, position)) {
          pool[m] -= 1;
          if (feasible.check(position, neu, pool)) {
            chosenAt = at;
            break;
          }
          pool[m] += 1;
        }
        failed.add(m);
      }
      skipped.push(idx);
    }
    if (chosenAt < 0) throw new Error("feasibility invariant broken");
    const idx = remaining.splice(chosenAt, 1)[0];
    let reason = null;
    if (skipped.length) {
      pool[masks[idx]] += 1;
      reason = explainer.explain(position, counts, pool, idx, skipped);
      pool[masks[idx]] -= 1;
    }
    counts = add(counts, masks[idx]);
    const c = ranked[idx];
    rows.push({ position, id: c.id, name: c.name || "", votes: c.votes, vote_rank: idx + 1, groups: idsOf(rules, masks[idx]), reason });
  }
  return { rows, ranking: ranked.map((c) => c.id) };
}

class Explainer {
  constructor(rules, ranked, masks, req, length, prefix) {
    Object.assign(this, { rules, ranked, masks, req, length });
    this.single = req.map((row) => new Feasibility([row], length));
    this.whole = null;
    if (prefix) {
      this.wholeReq = requirements(rules, length, false);
      this.whole = new Feasibility(this.wholeReq, length);
    }
  }

  fits(check, req, position, counts, pool, m) {
    const neu = add(counts, m);
    if (!meets(req, neu, position)) return false;
    const rest = pool.slice();
    rest[m] -= 1;
    return check.check(position, neu, rest);
  }

  groupFails(j, position, counts, pool, m) {
    let members = 0;
    let total = 0;
    pool.forEach((n, t) => {
      total += n;
      if ((t >> j) & 1) members += n;
    });
    const b = (m >> j) & 1;
    const singlePool = [total - members - (1 - b), members - b];
    const neu = [counts[j] + b];
    if (neu[0] < this.req[j][position]) return true;
    return !this.single[j].check(position, neu, singlePool);
  }

  explain(position, counts, pool, idx, skipped) {
    const chosen = this.masks[idx];
    let groups = 0;
    let wholeFails = false;
    for (const m of new Set(skipped.map((s) => this.masks[s]))) {
      let culprits = 0;
      for (let j = 0; j < this.rules.groups.length; j++) if (this.groupFails(j, position, counts, pool, m)) culprits |= 1 << j;
      groups |= culprits || (chosen & ~m);
      if (this.whole === null || !this.fits(this.whole, this.wholeReq, position, counts, pool, m)) wholeFails = true;
    }
    const code = wholeFails ? "quota" : "prefix_quota";
    return {
      code,
      groups: idsOf(this.rules, groups),
      placed_before: skipped.map((s) => this.ranked[s].id),
      text: this.text(position, idx, skipped, groups, code),
    };
  }

  text(position, idx, skipped, groups, code) {
    const names = skipped.map((s) => this.ranked[s].name || this.ranked[s].id);
    let shown;
    if (names.length > 3) shown = `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;
    else shown = [names.slice(0, -1).join(", "), names[names.length - 1]].filter(Boolean).join(" and ");
    const labels = this.rules.groups.filter((_, j) => (groups >> j) & 1).map((g) => g.label);
    const quota = labels.length === 1 ? "quota" : "quotas";
    const where = code === "prefix_quota" ? " among the top places" : "";
    const me = this.ranked[idx].name || this.ranked[idx].id;
    return `position ${position}: ${me} placed before ${shown} to meet the ${quota} for ${labels.join(" and ")}${where}`;
  }
}

function diagnose(rules, masks, length, req, prefix) {
  const have = rules.groups.map((_, j) => masks.filter((m) => (m >> j) & 1).length);
  const short = [];
  rules.groups.forEach((g, j) => {
    if (have[j] < req[j][length]) short.push({ group: g.id, label: g.label, needed: req[j][length], available: have[j], within_top: null });
  });
  if (short.length) return new QuotaInfeasible(length, short);
  const pool = new Array(1 << rules.groups.length).fill(0);
  for (const m of masks) pool[m] += 1;
  const zeros = new Array(rules.groups.length).fill(0);
  const ks = [];
  if (prefix) for (let k = 1; k <= length; k++) ks.push(k);
  else ks.push(length);
  for (const k of ks) {
    const sub = req.map((row) => row.slice(0, k + 1));
    if (!new Feasibility(sub, k).check(0, zeros, pool)) {
      const within = k < length ? k : null;
      const shortages = [];
      rules.groups.forEach((g, j) => {
        if (sub[j][k]) shortages.push({ group: g.id, label: g.label, needed: sub[j][k], available: have[j], within_top: within });
      });
      return new QuotaInfeasible(length, shortages, true);
    }
  }
  throw new Error("diagnose called on a feasible problem");
}

// The record's list of a question, as quota.py's rebuild_list gives it: candidate ids in list
// order, [] when list_length is 0 or no list meets the quotas. `quota` is the manifest's quota
// object, `candidates` the question's [{id, name, woman, youth, disability}], `totals` the counts.
export function rebuildList(quota, candidates, totals, listLength, sha256hex) {
  const rules = quota.custom;
  const pool = candidates.map((c, i) => ({ id: c.id, name: c.name, votes: totals[i], groups: groupsOf(rules, c) }));
  try {
    const built = buildList({ candidates: pool, length: listLength, rules, prefix: quota.prefix_mode, seed: quota.tie_break_seed || null, sha256hex });
    return built.rows.map((r) => r.id);
  } catch (err) {
    if (err instanceof QuotaError) return [];
    throw err;
  }
}
