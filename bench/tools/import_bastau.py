"""Import a members file through Bastau's own path, as the upload page and the worker do:
core.spreadsheets.inspect_upload (file checks, row count), create the job, run_import (check
pass, write pass).
Prints JSON with the job's outcome and the seconds of each step."""

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
django.setup()

from django.core.files import File  # noqa: E402

from bastau.accounts.models import User  # noqa: E402
from bastau.accounts.scoping import Scope  # noqa: E402
from bastau.core.spreadsheets import inspect_upload  # noqa: E402
from bastau.members import imports  # noqa: E402
from bastau.members.models import ImportJob, Member  # noqa: E402

path = sys.argv[1]
user = User.objects.get(username="bench-importer")
started = time.perf_counter()
with open(path, "rb") as handle:
    upload = File(handle, name=os.path.basename(path))
    upload.size = os.path.getsize(path)
    inspection = inspect_upload(upload)
    inspected = time.perf_counter()
    job = imports.create_job(
        Scope(user), kind=ImportJob.Kind.MEMBERS, upload=upload, inspection=inspection
    )
stored = time.perf_counter()
job = imports.run_import(job.pk)
finished = time.perf_counter()
errors = list(job.errors.values_list("code", flat=True)[:5])
print(
    json.dumps(
        {
            "status": job.status,
            "rows": inspection.rows,
            "created": job.created_count,
            "errors": job.error_count,
            "first_errors": errors,
            "members_in_db": Member.objects.count(),
            "inspect_s": round(inspected - started, 2),
            "store_s": round(stored - inspected, 2),
            "import_s": round(finished - stored, 2),
            "total_s": round(finished - started, 2),
        }
    )
)
