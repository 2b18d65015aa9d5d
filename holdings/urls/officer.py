"""Holdings URLs (officer pages): the assessor's queue, valuations and objections; the
revenue officer's demand runs, collection report and defaulters list."""

from django.urls import path

from ..views import officer as views

urlpatterns = [
    path("officer/assessor/", views.AssessorQueueView.as_view(), name="assessor_queue"),
    path("officer/holdings/<int:pk>/assess/", views.AssessView.as_view(), name="assess"),
    path("officer/objections/<int:pk>/", views.ObjectionView.as_view(), name="objection"),
    path(
        "officer/new-holdings/",
        views.HoldingApplicationsView.as_view(),
        name="applications",
    ),
    path(
        "officer/new-holdings/<int:pk>/",
        views.HoldingApplicationView.as_view(),
        name="application",
    ),
    path("officer/mutations/", views.MutationQueueView.as_view(), name="mutations"),
    path("officer/mutations/<int:pk>/", views.MutationView.as_view(), name="mutation"),
    path("officer/appeals/", views.AppealQueueView.as_view(), name="appeals"),
    path("officer/appeals/<int:pk>/", views.AppealView.as_view(), name="appeal"),
    path("officer/demand/", views.DemandRunsView.as_view(), name="demand_runs"),
    path("officer/demand/<int:pk>/", views.DemandRunView.as_view(), name="demand_run"),
    path("officer/collection/", views.CollectionView.as_view(), name="collection"),
    path("officer/defaulters/", views.DefaultersView.as_view(), name="defaulters"),
    path("officer/exports/<int:pk>/", views.ReportExportView.as_view(), name="report_export"),
    path(
        "officer/exports/<int:pk>/download/",
        views.ReportExportDownloadView.as_view(),
        name="report_export_download",
    ),
]
