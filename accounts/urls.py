from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.create_token, name="create_token"),
    path("login/password/", views.staff_password, name="account_staff_password"),
]
