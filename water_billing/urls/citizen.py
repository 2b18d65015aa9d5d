"""Water bill URLs: citizen pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
