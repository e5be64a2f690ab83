from django.urls import path

from .views import io as views_io
from .views import review as views_review
from .views import staff as views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("me/", views.me, name="me"),
    path("overview/", views.overview, name="overview"),
    path("overview.xlsx", views.overview_xlsx, name="overview_xlsx"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/transfer/", views.member_transfer, name="transfer"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/card/", views.card_issue, name="card_issue"),
    path("<int:pk>/card/<int:card_pk>/replace/", views.card_replace, name="card_replace"),
    path("admissions/", views.admissions, name="admissions"),
    path("admissions/new/", views.admission_new, name="admission_new"),
    path("admissions/<int:pk>/", views.admission_detail, name="admission"),
    # The review of members (views/review.py).
    path("reviews/", views_review.review_list, name="reviews"),
    path("reviews/new/", views_review.review_new, name="review_new"),
    path("reviews/confirm-contacts/", views_review.own_contacts, name="review_own_contacts"),
    path("reviews/<int:pk>/", views_review.review_detail, name="review"),
    path("reviews/<int:pk>/close/", views_review.review_close, name="review_close"),
    path("reviews/<int:pk>/remind/", views_review.review_remind, name="review_remind"),
    path("reviews/<int:pk>/report/", views_review.review_report, name="review_report"),
    path(
        "reviews/<int:pk>/report.xlsx", views_review.review_report_xlsx, name="review_report_xlsx"
    ),
    path(
        "reviews/<int:pk>/report-<str:lang>.docx",
        views_review.review_report_docx,
        name="review_report_docx",
    ),
    path("reviews/<int:pk>/poo/<slug:code>/", views_review.review_roll, name="review_roll"),
    path(
        "reviews/<int:pk>/answer/<int:item_pk>/", views_review.review_answer, name="review_answer"
    ),
    # Import and export (views/io.py).
    path("export/", views_io.export_members, name="export"),
    path("imports/", views_io.imports, name="imports"),
    path("imports/<int:pk>/", views_io.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors/", views_io.import_errors, name="import_errors"),
    path("structure-export/", views_io.export_poos, name="export_poos"),
]
