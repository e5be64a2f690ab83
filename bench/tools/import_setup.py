"""Empty the import database (every project table) and create what an import needs: a
region, a district, POOs imp-001..imp-N and the regional administrator bench-importer."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastau.settings")
django.setup()

from bastau.accounts.models import Role, User  # noqa: E402
from bastau.demo import scale  # noqa: E402
from bastau.structure.models import Branch, PrimaryOrganization  # noqa: E402

scale.reset()
region = Branch.objects.create(kind=Branch.Kind.REGION, code="imp-region", name="Import region")
district = Branch.objects.create(
    kind=Branch.Kind.DISTRICT, code="imp-district", name="Import district", parent=region
)
PrimaryOrganization.objects.bulk_create(
    PrimaryOrganization(code=f"imp-{i:03d}", name=f"POO {i}", branch=district)
    for i in range(1, int(sys.argv[1]) + 1)
)
User.objects.create(username="bench-importer", role=Role.REGIONAL_ADMIN, branch=region)
