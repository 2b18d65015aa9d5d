"""Holdings URLs (documents pages): demand notices and no-dues certificates."""

from django.urls import path

from . import document_views

urlpatterns = [
    path(
        "<int:pk>/notice/<str:fy>.pdf",
        document_views.demand_notice_pdf,
        name="holding_demand_notice",
    ),
    path("<int:pk>/no-dues/", document_views.no_dues, name="holding_no_dues"),
    path("no-dues/<int:cert_pk>.pdf", document_views.no_dues_pdf, name="holding_no_dues_pdf"),
]
