"""E-bike REST endpoints, mounted at /api/ezbike/ (names prefixed `api_ezbike_`)."""

from django.urls import URLPattern, path

from .. import api

urlpatterns: list[URLPattern] = [
    path("scans/", api.ScanBatchView.as_view(), name="api_ezbike_scans"),
    path("plates/<str:plate>/", api.PlateView.as_view(), name="api_ezbike_plate"),
]
