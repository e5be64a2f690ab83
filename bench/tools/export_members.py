"""Export every member of the import database through the member list's own export
(members.exports.list_response: CSV streamed, XLSX through openpyxl's write-only workbook
into a temporary file), reading the response to the end as a client would.
`python export_members.py xlsx|csv`; prints JSON with the rows, the bytes and the seconds."""

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
django.setup()

from bastau.members.exports import list_response  # noqa: E402
from bastau.members.models import Member  # noqa: E402

fmt = sys.argv[1]
started = time.perf_counter()
qs = Member.objects.select_related("poo", "poo__branch").order_by("pk")
response = list_response("members", qs, fmt, masked=False, filename_stem="members")
written = time.perf_counter()
size = 0
for block in response.streaming_content:
    size += len(block.encode() if isinstance(block, str) else block)
response.close()
finished = time.perf_counter()
print(
    json.dumps(
        {
            "format": fmt,
            "members": Member.objects.count(),
            "bytes": size,
            "build_s": round(written - started, 2),
            "total_s": round(finished - started, 2),
        }
    )
)
