"""Water REST endpoints, mounted at /api/water/ (names prefixed `api_water_`)."""

from django.urls import URLPattern, path

from .. import api

urlpatterns: list[URLPattern] = [
    path("readings/", api.ReadingBatchView.as_view(), name="api_water_readings"),
    path("connections/", api.ConnectionListView.as_view(), name="api_water_connections"),
    path(
        "connections/<str:consumer_no>/bills/",
        api.ConnectionBillsView.as_view(),
        name="api_water_connection_bills",
    ),
]
