"""Trade licence URLs (public pages)."""

from django.urls import path

from ..views import public as public_views

urlpatterns = [
    path("certificate/<int:pk>.pdf", public_views.certificate_pdf, name="certificate_pdf"),
    path("search/", public_views.licence_search, name="search"),
]
