"""Market shops' REST endpoints, mounted at /api/ (names prefixed `api_`)."""

from django.urls import URLPattern, path

from .. import api

urlpatterns: list[URLPattern] = [
    path("shops/", api.ShopListView.as_view(), name="api_shops"),
]
