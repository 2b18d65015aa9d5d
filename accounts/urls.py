from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.create_token, name="create_token"),
    path("login/password/", views.staff_password, name="staff_password"),
]
