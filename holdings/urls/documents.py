"""Holdings URLs (documents pages): demand notices and no-dues certificates."""

from django.urls import path

from ..views import documents as document_views

urlpatterns = [
    path(
        "<int:pk>/notice/<str:fy>.pdf",
        document_views.demand_notice_pdf,
        name="demand_notice",
    ),
    path("<int:pk>/no-dues/", document_views.no_dues, name="no_dues"),
    path("no-dues/<int:cert_pk>.pdf", document_views.no_dues_pdf, name="no_dues_pdf"),
]
