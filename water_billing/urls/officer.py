"""Water bill URLs: applications for a new connection (the citizen's, the counter's, the
water officer's queue), disconnection for arrears and the water officer's reports."""

from django.urls import path

from ..views import applications, officer

urlpatterns = [
    path("apply/", applications.ApplyView.as_view(), name="apply"),
    path("applications/", applications.MyApplicationsView.as_view(), name="applications"),
    path("applications/<int:pk>/", applications.ApplicationView.as_view(), name="application"),
    path("counter/apply/", applications.CounterApplyView.as_view(), name="counter_apply"),
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
    path("officer/arrears/", officer.ArrearsView.as_view(), name="arrears"),
    path("officer/arrears/<int:pk>/notice/", officer.NoticeView.as_view(), name="arrears_notice"),
    path(
        "officer/disconnections/<int:pk>/",
        officer.DisconnectionView.as_view(),
        name="disconnection",
    ),
    path(
        "officer/reports/collection/",
        officer.CollectionReportView.as_view(),
        name="report_collection",
    ),
    path("officer/reports/ageing/", officer.AgeingReportView.as_view(), name="report_ageing"),
    path("officer/reports/unread/", officer.UnreadReportView.as_view(), name="report_unread"),
    path("officer/reports/flagged/", officer.FlaggedReportView.as_view(), name="report_flagged"),
]
