from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.code_request, name="code_request"),
    path("login/code/verify/", views.code_verify, name="code_verify"),
    path("logout/", views.logout_view, name="logout"),
]
urlpatterns += [
    path("staff/", views.staff_accounts, name="staff_accounts"),
    path("staff/new/", views.staff_account_new, name="staff_account_new"),
    path("staff/<int:pk>/", views.staff_account, name="staff_account"),
    path("staff/<int:pk>/edit/", views.staff_account_edit, name="staff_account_edit"),
    path("staff/<int:pk>/reset/", views.staff_account_reset, name="staff_account_reset"),
    path(
        "staff/<int:pk>/deactivate/",
        views.staff_account_deactivate,
        name="staff_account_deactivate",
    ),
    path(
        "staff/<int:pk>/reactivate/",
        views.staff_account_reactivate,
        name="staff_account_reactivate",
    ),
    path("pick/member/", views.pick_member, name="pick_member"),
]
