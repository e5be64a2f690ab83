from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.code_request, name="code_request"),
    path("login/code/verify/", views.code_verify, name="code_verify"),
    path("logout/", views.logout_view, name="logout"),
]
