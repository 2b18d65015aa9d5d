"""Holdings URLs (import pages)."""

from django.urls import path

from ..views import imports as import_views

urlpatterns: list = [
    path("import/", import_views.HoldingImportView.as_view(), name="import"),
    path(
        "import/confirm/",
        import_views.HoldingImportConfirmView.as_view(),
        name="import_confirm",
    ),
    path(
        "import/report.csv",
        import_views.HoldingImportReportView.as_view(),
        name="import_report",
    ),
    path(
        "import/sample.csv",
        import_views.HoldingImportSampleView.as_view(),
        name="import_sample",
    ),
]
