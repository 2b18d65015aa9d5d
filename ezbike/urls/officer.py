"""E-bike officer pages: scan devices (register, revoke) and RFID cards (bind, replace);
traffic staff's plate check."""

from django.urls import URLPattern, path

from ..views import applications, reports
from ..views import officer as views

urlpatterns: list[URLPattern] = [
    path("devices/", views.DevicesView.as_view(), name="devices"),
    path("devices/<int:pk>/revoke/", views.DeviceRevokeView.as_view(), name="device_revoke"),
    path("cards/", views.CardsView.as_view(), name="cards"),
    path("plates/", views.PlateCheckView.as_view(), name="plate_check"),
    path(
        "officer/applications/",
        applications.ApplicationQueueView.as_view(),
        name="officer_applications",
    ),
    path(
        "officer/applications/<int:pk>/",
        applications.OfficerApplicationView.as_view(),
        name="officer_application",
    ),
    path(
        "officer/applications/<int:pk>/documents/<int:doc>/",
        applications.ApplicationDocumentView.as_view(),
        name="application_document",
    ),
    path("officer/photos/<str:who>/<int:pk>/", applications.PhotoView.as_view(), name="photo"),
    path("officer/fleet/", reports.FleetView.as_view(), name="report_fleet"),
    path("officer/licences/", reports.LicencesView.as_view(), name="report_licences"),
    path("officer/sightings/", reports.SightingsView.as_view(), name="report_sightings"),
]
