"""Write the audit trail. Every action function calls `record` inside its transaction."""

from __future__ import annotations

from bastau.core.models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    actor,
    action: str,
    obj=None,
    *,
    summary: str = "",
    data: dict | None = None,
    branch=None,
    request=None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        branch=branch,
        summary=summary[:500],
        data=data or {},
        ip_address=client_ip(request),
    )
