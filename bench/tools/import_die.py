"""Import the same members file with django-import-export (the library's documented bulk
settings: use_bulk, batch_size 1000, skip_diff; rows matched on the IIN). Prints JSON."""

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
django.setup()

import tablib  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402

from bastau.members.models import Member  # noqa: E402
from bastau.structure.models import PrimaryOrganization  # noqa: E402


class MemberResource(resources.ModelResource):
    poo = fields.Field(
        column_name="poo_code",
        attribute="poo",
        widget=widgets.ForeignKeyWidget(PrimaryOrganization, field="code"),
    )

    class Meta:
        model = Member
        fields = (
            "iin", "last_name", "first_name", "patronymic", "phone", "email", "address", "poo",
            "sector", "joined_on", "status", "birth_date", "sex", "has_disability", "left_on",
        )  # fmt: skip
        import_id_fields = ("iin",)
        use_bulk = True
        batch_size = 1000
        skip_diff = True


path = sys.argv[1]
started = time.perf_counter()
if path.endswith(".csv"):
    with open(path, encoding="utf-8") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="csv")
else:
    with open(path, "rb") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="xlsx")
loaded = time.perf_counter()
result = MemberResource().import_data(
    dataset, dry_run=False, raise_errors=False, use_transactions=True
)
finished = time.perf_counter()
print(
    json.dumps(
        {
            "rows": len(dataset),
            "has_errors": result.has_errors() or result.has_validation_errors(),
            "members_in_db": Member.objects.count(),
            "load_s": round(loaded - started, 2),
            "import_s": round(finished - loaded, 2),
            "total_s": round(finished - started, 2),
        }
    )
)
