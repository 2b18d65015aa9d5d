"""Trade licence URLs (officer pages), included at /licences/."""

from django.urls import path

from ..views import officer as views

urlpatterns = [
    path("officer/inspections/", views.InspectionQueueView.as_view(), name="inspection_queue"),
    path("officer/approvals/", views.ApprovalQueueView.as_view(), name="approval_queue"),
    path(
        "officer/applications/<int:pk>/",
        views.ApplicationView.as_view(),
        name="officer_application",
    ),
    path("officer/reports/", views.ReportsView.as_view(), name="reports"),
]
