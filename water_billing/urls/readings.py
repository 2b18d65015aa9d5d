"""Water bill URLs: readings pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
