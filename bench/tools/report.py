"""The whole regional branch report on the national data set: figures counted in the database,
then the DOCX and the PDF (with their charts) in Kazakh. Prints JSON: seconds per step (wall and
this process's CPU), the queries run, the peak memory of this process, the file sizes.

    DATABASE_URL=postgres://... python bench/tools/report.py [YYYY-MM-DD]
"""

import datetime as dt
import io
import json
import os
import resource
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bastau.accounts.models import Role, User  # noqa: E402
from bastau.accounts.scoping import Scope  # noqa: E402
from bastau.reception.statistics import reporting_year  # noqa: E402
from bastau.reports import documents, figures  # noqa: E402
from bastau.structure.models import Branch  # noqa: E402

today = dt.date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else dt.date(2026, 5, 10)
region = Branch.objects.get(kind=Branch.Kind.REGION)
admin = User.objects.filter(role=Role.REGIONAL_ADMIN, branch=region).order_by("pk").first()
if admin is None:
    admin = User.objects.create(
        username="bench-report-admin", role=Role.REGIONAL_ADMIN, branch=region
    )
scope = Scope(admin)
period, comparison = reporting_year(today)


def step(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, round(time.perf_counter() - wall, 2), round(time.process_time() - cpu, 2)


with CaptureQueriesContext(connection) as queries:
    place = figures.resolve_place(scope)
    report, build_s, build_cpu = step(
        lambda: figures.build(scope, place, period, comparison, as_of=today)
    )
out_docx, out_pdf = io.BytesIO(), io.BytesIO()
_, docx_s, docx_cpu = step(lambda: documents.write_docx(report, "kk", out_docx))
_, pdf_s, pdf_cpu = step(lambda: documents.write_pdf(report, "kk", out_pdf))
members = report.section("members").facts
reception = report.section("reception").facts if report.section("reception") else {}
print(
    json.dumps(
        {
            "period": f"{period.start}..{period.end}",
            "members": members["total"],
            "appeals_in_period": reception.get("registered"),
            "queries": len(queries.captured_queries),
            "figures_s": build_s,
            "figures_cpu_s": build_cpu,
            "docx_s": docx_s,
            "docx_cpu_s": docx_cpu,
            "pdf_s": pdf_s,
            "pdf_cpu_s": pdf_cpu,
            "total_s": round(build_s + docx_s + pdf_s, 2),
            "total_cpu_s": round(build_cpu + docx_cpu + pdf_cpu, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "docx_kb": len(out_docx.getvalue()) // 1024,
            "pdf_kb": len(out_pdf.getvalue()) // 1024,
        }
    )
)
