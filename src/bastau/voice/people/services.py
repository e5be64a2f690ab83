"""Supporters, consents and the youth wing: every write that matters, and the small public
functions other voice apps call (`invitable_supporters`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from bastau.structure.models import Branch, PrimaryOrganization

from .models import Consent, Supporter


def consent_in_force() -> Exists:
    """A consent of the supporter that has not been withdrawn."""
    return Exists(Consent.objects.filter(supporter=OuterRef("pk"), withdrawn_on__isnull=True))


def invitable_supporters(unit: Branch | PrimaryOrganization | None = None) -> QuerySet:
    """Supporters and volunteers who may be invited (to a survey, to an outreach event): those
    whose consent is in force, in `unit` (the regional branch or None: all; a district or city
    branch: its own; a POO: its own). Contact through `phone` and `email`; never store a copy of
    them elsewhere, since they are erased when consent is withdrawn."""
    qs = Supporter.objects.filter(status=Supporter.Status.ACTIVE).filter(consent_in_force())
    if isinstance(unit, PrimaryOrganization):
        return qs.filter(poo=unit)
    if isinstance(unit, Branch) and unit.kind != Branch.Kind.REGION:
        return qs.filter(branch=unit)
    return qs
