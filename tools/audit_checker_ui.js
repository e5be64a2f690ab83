// The standalone audit checker's page script (tools/build_audit_checker.py inlines it, after the
// vendored libsodium, ballot.js, record.js, verify.js and audit.js, into one HTML file that works
// opened from disk: no request is made, so the server that made the ballot has no say).
// In scope: sodium, bastauE2E, bastauRecord, bastauVerifier, checkAuditFile.
const TEXT = {
  kk: {
    title: "Бюллетень аудитін тексеру",
    intro: "Дауыс беру бетінен сақталған аудит файлын ашыңыз. Тексеру осы компьютерде, желісіз жүреді.",
    file: "Аудит файлы",
    ok: "ДҰРЫС: бұл шифрланған бюллетеньде дәл осы таңдау бар.",
    bad: "СӘТСІЗ:",
    election: "Сайлау",
    phi: "Сайлаудың саусақ ізі (бақылаушылар жариялағанмен салыстырыңыз)",
    question: "Тізім",
    tracker: "Трекер",
    chosen: "Таңдалғандар",
    none: "(ешкім)",
    unreadable: "Файл оқылмады (JSON емес).",
  },
  ru: {
    title: "Проверка аудита бюллетеня",
    intro: "Откройте файл аудита, сохранённый на странице голосования. Проверка идёт на этом компьютере, без сети.",
    file: "Файл аудита",
    ok: "ВЕРНО: этот зашифрованный бюллетень содержит именно этот выбор.",
    bad: "НЕ ПРОЙДЕНО:",
    election: "Выборы",
    phi: "Отпечаток выборов (сверьте с опубликованным наблюдателями)",
    question: "Список",
    tracker: "Трекер",
    chosen: "Выбраны",
    none: "(никто)",
    unreadable: "Файл не читается (не JSON).",
  },
  en: {
    title: "Ballot audit checker",
    intro: "Open the audit file saved from the voting page. The check runs on this computer, offline.",
    file: "Audit file",
    ok: "OK: this encrypted ballot holds exactly these choices.",
    bad: "FAILED:",
    election: "Election",
    phi: "Election fingerprint (compare with the one the observers publish)",
    question: "List",
    tracker: "Tracker",
    chosen: "Chosen",
    none: "(none)",
    unreadable: "The file cannot be read (not JSON).",
  },
};
const lang = (navigator.language || "kk").slice(0, 2);
const T = TEXT[lang] || TEXT.kk;
document.documentElement.lang = TEXT[lang] ? lang : "kk";
document.title = T.title;
document.getElementById("title").textContent = T.title;
document.getElementById("intro").textContent = T.intro;
document.getElementById("file-label").textContent = T.file;
const out = document.getElementById("result");

await sodium.ready;
const e2e = bastauE2E(sodium);
const rec = bastauRecord(sodium, e2e);
const ver = bastauVerifier(sodium, e2e, rec);

function show(lines, ok) {
  out.replaceChildren();
  out.className = ok ? "ok" : "bad";
  for (const [k, v] of lines) {
    const p = document.createElement("p");
    if (k) {
      const b = document.createElement("b");
      b.textContent = `${k}: `;
      p.appendChild(b);
    }
    p.appendChild(document.createTextNode(v));
    out.appendChild(p);
  }
}

document.getElementById("file").addEventListener("change", async (ev) => {
  const f = ev.target.files[0];
  if (!f) return;
  let data;
  try {
    data = JSON.parse(await f.text());
  } catch {
    show([["", T.unreadable]], false);
    return;
  }
  try {
    const r = checkAuditFile(e2e, ver, data);
    show(
      [
        ["", T.ok],
        [T.election, r.title],
        [T.phi, r.phi],
        [T.question, r.question],
        [T.tracker, r.tracker],
        [T.chosen, r.chosen.length ? r.chosen.join(", ") : T.none],
      ],
      true,
    );
  } catch (err) {
    show([["", `${T.bad} ${err.message}`]], false);
  }
});
document.getElementById("file").disabled = false;
