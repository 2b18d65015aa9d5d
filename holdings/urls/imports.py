"""Holdings URLs (import pages)."""

from django.urls import path

from ..views import imports as import_views

urlpatterns: list = [
    path("import/", import_views.HoldingImportView.as_view(), name="import"),
    path("import/<int:pk>/", import_views.HoldingImportJobView.as_view(), name="import_job"),
    path(
        "import/<int:pk>/confirm/",
        import_views.HoldingImportConfirmView.as_view(),
        name="import_confirm",
    ),
    path(
        "import/<int:pk>/report.csv",
        import_views.HoldingImportReportView.as_view(),
        name="import_report",
    ),
    path(
        "import/sample.csv",
        import_views.HoldingImportSampleView.as_view(),
        name="import_sample",
    ),
]
