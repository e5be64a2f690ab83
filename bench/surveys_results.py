"""surveys: the results of a survey with 200,000 answers, read from the tallies.

Standalone: it makes its own database, fills it, and times in process, through Django's test
client (URL routing, middleware, view, template; no HTTP server), the staff results page and the
public results page for each breakdown (district, age group, sex), then `services.results`
alone, then the submission of public answers (which keep the tallies in step in the same
transaction).

    .venv/bin/python bench/surveys_results.py                                   # 200,000 answers
    .venv/bin/python bench/surveys_results.py --answers 5000 --repeat 10        # a quick look
    .venv/bin/python bench/surveys_results.py --database-url postgres://postgres@127.0.0.1:5432/bastau_bench_surveys

The data: the region, 13 districts, a public survey with district, age group, sex, a
single choice (6 options), a multiple choice (5), a 1-5 scale, a number and a free text;
the answers written with bulk_create in batches, then counted once by the product's own
`services.rebuild_tally`. A second run on the same database reuses the data.
Target (issue 14): the results render in under 150 ms p95. Prints one JSON line at the end.

Module `surveys` of bench/run.py (bench/b_surveys.py) builds its data with this script's
`--setup-only` (the same data, then one JSON line: the survey, its public token, the sizes) and
times the pages through the real server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bastau_bench_surveys"
TITLE = "Bench survey"


def _ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))]


def _setup(answers: int, password: str | None = None):
    from django.db import transaction

    from bastau.accounts.models import Role, User
    from bastau.structure.models import Branch
    from bastau.voice.surveys import rules, services
    from bastau.voice.surveys.models import Answer, Option, Question, Response, Survey

    survey = Survey.objects.filter(title=TITLE).first()
    if survey is not None and Response.objects.filter(survey=survey).count() >= answers:
        district_q = survey.questions.get(kind=rules.DISTRICT)
        stale = False
        for o in district_q.options.all():  # a first version named districts by code
            branch = Branch.objects.filter(code=o.code).first()
            if branch is not None:
                o.code = str(branch.pk)
                o.save(update_fields=["code"])
                stale = True
        if stale or survey.responses_count < answers:  # the tallies not (rightly) counted
            services.rebuild_tally(survey)
            survey.refresh_from_db()
        return survey, _admin(User.objects.get(username="bench-surveys-admin"), password)
    if survey is not None:
        survey.delete()
    region, _ = Branch.objects.get_or_create(
        code="bench-region", defaults={"kind": Branch.Kind.REGION, "name": "Облыс"}
    )
    districts = []
    for i in range(13):
        b, _ = Branch.objects.get_or_create(
            code=f"bench-d{i:02d}",
            defaults={"kind": Branch.Kind.DISTRICT, "name": f"Аудан {i:02d}", "parent": region},
        )
        districts.append(b)
    admin, _ = User.objects.get_or_create(
        username="bench-surveys-admin", defaults={"role": Role.REGIONAL_ADMIN, "branch": region}
    )
    admin = _admin(admin, password)
    import datetime as dt

    today = dt.date.today()
    survey = Survey.objects.create(
        title=TITLE,
        title_ru=TITLE,
        branch=region,
        audience=Survey.Audience.PUBLIC,
        status=Survey.Status.OPEN,
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=300),
        public_results=True,
        created_on=today,
    )

    def q(position, kind, options=(), **extra):
        question = Question.objects.create(
            survey=survey, position=position, kind=kind, text=kind, text_ru=kind, **extra
        )
        Option.objects.bulk_create(
            Option(question=question, code=code, position=i, text=code, text_ru=code)
            for i, code in enumerate(options, 1)
        )
        return question

    qd = q(1, rules.DISTRICT, [str(b.pk) for b in districts])
    qa = q(2, rules.AGE_GROUP, rules.AGE_GROUP_CODES)
    qs = q(3, rules.SEX, rules.SEX_CODES)
    qn = q(4, rules.SINGLE, [str(i) for i in range(1, 7)])
    qm = q(5, rules.MULTIPLE, [str(i) for i in range(1, 6)])
    qsc = q(6, rules.SCALE)
    qnum = q(7, rules.NUMBER, number_min=0, number_max=100)
    qt = q(8, rules.TEXT, required=False)
    opt = {
        question.pk: {o.code: o.pk for o in question.options.all()}
        for question in (qd, qa, qs, qn, qm)
    }
    rng = random.Random(14)
    batch = 10_000
    for start in range(0, answers, batch):
        responses, rows = [], []
        for _i in range(min(batch, answers - start)):
            d = rng.choice(districts)
            age = rng.choice(rules.AGE_GROUP_CODES[:4])
            sex = rng.choice(rules.SEX_CODES)
            r = Response(survey=survey, channel="public", district=d, age_group=age, sex=sex)
            responses.append(r)
            rows += [
                Answer(response=r, question=qd, option_id=opt[qd.pk][str(d.pk)]),
                Answer(response=r, question=qa, option_id=opt[qa.pk][age]),
                Answer(response=r, question=qs, option_id=opt[qs.pk][sex]),
                Answer(response=r, question=qn, option_id=opt[qn.pk][str(rng.randint(1, 6))]),
                Answer(response=r, question=qsc, number=rng.randint(1, 5)),
                Answer(response=r, question=qnum, number=rng.randint(0, 100)),
            ]
            for code in rng.sample(["1", "2", "3", "4", "5"], rng.randint(1, 3)):
                rows.append(Answer(response=r, question=qm, option_id=opt[qm.pk][code]))
            if rng.random() < 0.2:
                rows.append(Answer(response=r, question=qt, text="Жұмыс керек"))
        with transaction.atomic():
            Response.objects.bulk_create(responses, batch_size=5000)
            Answer.objects.bulk_create(rows, batch_size=10000)
        print(f"  {start + len(responses):,} answers written", file=sys.stderr)
    started = time.perf_counter()
    rows = services.rebuild_tally(survey)
    print(
        f"  tallies counted: {rows:,} rows in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    survey.refresh_from_db()
    return survey, admin


def _admin(user, password: str | None):
    """The bench administrator, with a password when the pages are timed through a server."""
    if password and not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_SURVEYS_DB", DEFAULT_URL))
    parser.add_argument("--answers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument(
        "--setup-only",
        action="store_true",
        help="build the data (if missing), print one JSON line and stop (bench/b_surveys.py)",
    )
    parser.add_argument("--password", help="set the bench administrator's password")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
    # Counting 1.6 million answer rows once may take longer than a page's statement timeout.
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")
    sys.path.insert(0, str(ROOT / "src"))
    _ensure_database(args.database_url)
    import django

    django.setup()
    from django.conf import settings

    # No collectstatic here: plain static URLs (the pages' work is the same).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bastau.voice.surveys import services
    from bastau.voice.surveys.models import Answer, Tally

    call_command("migrate", verbosity=0)
    load_before = os.getloadavg()
    started = time.perf_counter()
    survey, admin = _setup(args.answers, args.password)
    if args.setup_only:
        from bastau.voice.surveys.models import Answer, Tally

        print(
            json.dumps(
                {
                    "survey": survey.pk,
                    "token": survey.public_token,
                    "admin": admin.username,
                    "answers": survey.responses_count,
                    "answer_rows": Answer.objects.filter(question__survey=survey).count(),
                    "tally_rows": Tally.objects.filter(survey=survey).count(),
                    "setup_s": round(time.perf_counter() - started, 1),
                }
            )
        )
        return 0
    client = Client()
    client.force_login(admin)
    figures = {}
    for by in ("district", "age", "sex"):
        for label, url in (
            ("staff page", reverse("surveys:results", args=[survey.pk]) + f"?by={by}"),
            (
                "public page",
                reverse("surveys:public_results", args=[survey.public_token]) + f"?by={by}",
            ),
        ):
            client.get(url)  # warm
            times = []
            for _i in range(args.repeat):
                t = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.status_code
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            figures[f"{label}, by {by}"] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(_p(times, 95), 1),
                "queries": len(queries),
            }
        times = []
        for _i in range(args.repeat):
            t = time.perf_counter()
            services.results(survey, by=by)
            times.append((time.perf_counter() - t) * 1000)
        figures[f"services.results, by {by}"] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(_p(times, 95), 1),
        }
    reset_queries()
    import datetime as dt

    from bastau.structure.models import Branch

    codes = [
        str(pk)
        for pk in Branch.objects.filter(code__startswith="bench-d").values_list("pk", flat=True)
    ]
    questions = services.questions_of(survey)
    keys = {q.kind: q.key for q in questions}
    rng = random.Random(15)
    times = []
    for _i in range(args.submits):
        raw = {
            keys["district"]: rng.choice(codes),
            keys["age_group"]: "18-24",
            keys["sex"]: "F",
            keys["single"]: str(rng.randint(1, 6)),
            keys["multiple"]: ["1", "3"],
            keys["scale"]: "4",
            keys["number"]: "33",
            keys["text"]: "",
        }
        t = time.perf_counter()
        services.submit_public_answer(survey, raw, today=dt.date.today())
        times.append((time.perf_counter() - t) * 1000)
    figures["submit_public_answer (tallies kept in step)"] = {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_p(times, 95), 1),
    }
    load_after = os.getloadavg()
    width = max(len(k) for k in figures)
    for name, f in figures.items():
        extra = f" ({f['queries']} queries)" if "queries" in f else ""
        print(f"{name:<{width}}  p50 {f['p50_ms']:7.1f} ms  p95 {f['p95_ms']:7.1f} ms{extra}")
    result = {
        "name": "surveys",
        "database": connection.vendor,
        "answers": survey.responses_count,
        "answer_rows": Answer.objects.filter(question__survey=survey).count(),
        "tally_rows": Tally.objects.filter(survey=survey).count(),
        "repeat": args.repeat,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "nproc": os.cpu_count(),
        "figures": figures,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
