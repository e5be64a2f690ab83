"""Who may do what with the local issues register and the programme.

- the register and the programmes (`view_agenda`): the regional administrator (all of them)
  and a district secretary (their district's issues and their district's programme);
  everyone else gets 403; an object outside the scoped querysets is a 404;
- a youth programme's submitted version is adopted at a congress of its wing
  (`adopt_at_congress`): by whoever may both record the wing's congresses and edit the
  programme (today the regional administrator);
- the public sees only a published version of a programme (`public_versions`), with the
  status of its commitments: no page of the register is public.
Rules are named `"voice.agenda.<rule>"` in `@requires` and `{% allowed %}`.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from bastau.accounts.models import Role
from bastau.accounts.scoping import Scope
from bastau.structure.models import Branch
from bastau.voice.people import permissions as people_permissions
from bastau.voice.people.models import YouthCongress

from .models import Issue, Programme, ProgrammeItem, ProgrammeVersion


def is_district_secretary(scope: Scope) -> bool:
    return scope.role == Role.DISTRICT_SECRETARY and bool(scope.user.branch_id)


def view_agenda(scope: Scope) -> bool:
    return scope.is_regional_admin or is_district_secretary(scope)


def manage_programmes(scope: Scope) -> bool:
    return view_agenda(scope)


def adopt_at_congress(scope: Scope) -> bool:
    return manage_programmes(scope) and people_permissions.manage_youth_wing(scope)


def congresses(scope: Scope) -> QuerySet:
    """Congresses of the wings this user sees."""
    return YouthCongress.objects.filter(wing__in=people_permissions.wings(scope)).select_related(
        "wing"
    )


def youth_wings(scope: Scope) -> QuerySet:
    """The wings a programme of this user may belong to (of a branch it may edit)."""
    return people_permissions.wings(scope).filter(branch__in=programme_branches(scope))


def districts(scope: Scope) -> QuerySet:
    """The districts (and city) this user works for: all for the administrator."""
    qs = Branch.objects.exclude(kind=Branch.Kind.REGION).order_by("name")
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(pk=scope.user.branch_id)
    return qs.none()


def issues(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    qs = Issue.objects.all() if qs is None else qs
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(district_id=scope.user.branch_id)
    return qs.none()


def programme_branches(scope: Scope) -> QuerySet:
    qs = Branch.objects.order_by("kind", "name")
    if scope.is_regional_admin:
        return qs.filter(Q(kind=Branch.Kind.REGION) | Q(parent__kind=Branch.Kind.REGION))
    if is_district_secretary(scope):
        return qs.filter(pk=scope.user.branch_id)
    return qs.none()


def programmes(scope: Scope) -> QuerySet:
    qs = Programme.objects.select_related("branch")
    if scope.is_regional_admin:
        return qs
    if is_district_secretary(scope):
        return qs.filter(branch_id=scope.user.branch_id)
    return qs.none()


def items(scope: Scope) -> QuerySet:
    return ProgrammeItem.objects.filter(programme__in=programmes(scope).values("pk"))


def versions(scope: Scope) -> QuerySet:
    return ProgrammeVersion.objects.filter(
        programme__in=programmes(scope).values("pk")
    ).select_related("programme", "programme__branch")


def public_versions() -> QuerySet:
    """What anyone may read: published (hence adopted) versions."""
    return ProgrammeVersion.objects.filter(
        published_at__isnull=False, status=ProgrammeVersion.Status.ADOPTED
    ).select_related("programme", "programme__branch")
