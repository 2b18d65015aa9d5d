"""Water bill URLs: billing pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
