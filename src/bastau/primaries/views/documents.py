"""Downloads of the results protocol (PDF, DOCX; Kazakh or Russian) and the results workbook.

Who may download (permissions.document_campaign): once the campaign is counted (counting,
results, closed), the organisers and the election commission; once the results are published,
everyone who may see the campaign. Before that the documents do not exist (404). Each file is
written to a temporary file and streamed from there, and every download is audited.
"""

from __future__ import annotations

import tempfile

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from bastau.core import audit
from bastau.core.dbrouter import replica_view

from .. import documents, permissions


def _send(request, campaign, *, kind: str, lang: str, fmt: str, write) -> FileResponse:
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        write(handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    audit.record(
        request.user,
        f"campaign.{kind}_downloaded",
        campaign,
        branch=campaign.branch,
        request=request,
        data={"language": lang, "format": fmt, "status": campaign.status},
    )
    name = (
        f"{campaign.slug}-{kind}-{lang}.{fmt}"
        if kind == "protocol"
        else f"{campaign.slug}-{kind}.{fmt}"
    )
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=documents.CONTENT_TYPES[fmt]
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@replica_view
def protocol(request, slug: str, lang: str, fmt: str):
    if lang not in documents.LANGUAGES or fmt not in documents.FORMATS:
        raise Http404
    campaign = permissions.document_campaign(request.scope, slug)
    if campaign is None:
        return redirect_to_login(request.get_full_path())
    return _send(
        request,
        campaign,
        kind="protocol",
        lang=lang,
        fmt=fmt,
        write=lambda out: documents.write_protocol(campaign, lang, fmt, out),
    )


@require_GET
@replica_view
def results_xlsx(request, slug: str):
    """The workbook in the interface language, or ?lang=kk|ru|en."""
    campaign = permissions.document_campaign(request.scope, slug)
    if campaign is None:
        return redirect_to_login(request.get_full_path())
    lang = documents.normalise_language(request.GET.get("lang") or get_language())
    return _send(
        request,
        campaign,
        kind="results",
        lang=lang,
        fmt="xlsx",
        write=lambda out: documents.write_results(campaign, lang, out),
    )
