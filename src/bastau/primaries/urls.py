"""Primaries URLs: the organisers' and commission's pages (views/staff.py, all under
/primaries/manage/), the members' and the public's pages (views/public.py), and the
downloadable documents (views/documents.py)."""

from django.urls import path, re_path

from .views import documents, e2e_api, e2e_pages, e2e_staff, public, staff

app_name = "primaries"
urlpatterns = [
    # Staff pages first: their fixed "manage/" prefix must win over the public "<slug>/"
    # (so "manage" is a reserved campaign slug).
    path("manage/", staff.campaign_list, name="manage"),
    path("manage/new/", staff.campaign_create, name="manage_new"),
    path("manage/<slug:slug>/", staff.campaign_manage, name="manage_campaign"),
    path("manage/<slug:slug>/edit/", staff.campaign_edit, name="manage_edit"),
    path("manage/<slug:slug>/advance/", staff.campaign_advance, name="manage_advance"),
    path("manage/<slug:slug>/lists/", staff.contest_list, name="manage_lists"),
    path("manage/<slug:slug>/lists/<slug:code>/", staff.contest_edit, name="manage_list_edit"),
    path("manage/<slug:slug>/commission/", staff.commission, name="manage_commission"),
    path(
        "manage/<slug:slug>/commission/<int:pk>/remove/",
        staff.commission_remove,
        name="manage_commission_remove",
    ),
    path("manage/<slug:slug>/candidates/", staff.candidate_list, name="manage_candidates"),
    path("manage/<slug:slug>/candidates/new/", staff.nominate, name="manage_nominate"),
    path(
        "manage/<slug:slug>/candidates/<int:number>/",
        staff.candidate_detail,
        name="manage_candidate",
    ),
    path(
        "manage/<slug:slug>/candidates/<int:number>/edit/",
        staff.candidate_edit,
        name="manage_candidate_edit",
    ),
    path("manage/<slug:slug>/roll.csv", staff.roll_csv, name="manage_roll_csv"),
    path("manage/<slug:slug>/paper/", staff.paper, name="manage_paper"),
    path("manage/<slug:slug>/encryption/", e2e_staff.encryption, name="manage_encryption"),
    path(
        "manage/<slug:slug>/encryption/paper-voters.csv",
        e2e_staff.paper_voters_csv,
        name="manage_paper_voters_csv",
    ),
    # Members and the public.
    path("", public.campaigns, name="campaigns"),
    path("<slug:slug>/", public.campaign_detail, name="campaign"),
    path("<slug:slug>/candidates/<int:number>/", public.candidate_detail, name="candidate"),
    path("<slug:slug>/nominate/", public.nominate_self, name="nominate_self"),
    path("<slug:slug>/withdraw/", public.withdraw, name="withdraw"),
    path("<slug:slug>/vote/", public.vote, name="vote"),
    path("<slug:slug>/vote/receipt/", public.receipt, name="receipt"),
    path("<slug:slug>/board/", public.board_page, name="board"),
    path("<slug:slug>/board.json", public.board_json, name="board_json"),
    path("<slug:slug>/results/", public.results_page, name="results"),
    # Encrypted ballots: the member's and the observer's pages (views/e2e_pages.py).
    path("<slug:slug>/e2e/vote/", e2e_pages.vote, name="e2e_vote"),
    path("<slug:slug>/e2e/verify/", e2e_pages.verify, name="e2e_verify"),
    path("<slug:slug>/e2e/check/", e2e_pages.check, name="e2e_check"),
    # Encrypted campaigns: the JSON endpoints (views/e2e_api.py).
    path("<slug:slug>/e2e/package/", e2e_api.package, name="e2e_package"),
    path("<slug:slug>/e2e/credential/", e2e_api.credential, name="e2e_credential"),
    path("<slug:slug>/e2e/cast/", e2e_api.cast, name="e2e_cast"),
    path("<slug:slug>/e2e/record.jsonl", e2e_api.record, name="e2e_record"),
    path("<slug:slug>/e2e/cosign/", e2e_api.cosign, name="e2e_cosign"),
    path("<slug:slug>/e2e/ceremony.json", e2e_staff.ceremony_json, name="e2e_ceremony"),
    path("<slug:slug>/trustee/", e2e_staff.trustee, name="trustee"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/e2e/tracker/(?P<tracker>[A-Za-z0-9_-]{1,64})/$",
        e2e_api.tracker,
        name="e2e_tracker",
    ),
    # The downloadable documents.
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/protocol-(?P<lang>kk|ru)\.(?P<fmt>pdf|docx)$",
        documents.protocol,
        name="protocol",
    ),
    path("<slug:slug>/results.xlsx", documents.results_xlsx, name="results_xlsx"),
]
