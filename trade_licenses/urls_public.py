"""Trade licence URLs (public pages)."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("certificate/<int:pk>.pdf", public_views.certificate_pdf, name="licence_certificate_pdf"),
    path("search/", public_views.licence_search, name="licence_search"),
]
