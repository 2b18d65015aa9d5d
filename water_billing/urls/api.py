"""Water REST endpoints, mounted at /api/water/ (names prefixed `api_water_`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
