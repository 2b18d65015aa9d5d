"""Holdings URLs (import pages)."""

from django.urls import path

from . import import_views

urlpatterns: list = [
    path("import/", import_views.HoldingImportView.as_view(), name="holding_import"),
    path(
        "import/confirm/",
        import_views.HoldingImportConfirmView.as_view(),
        name="holding_import_confirm",
    ),
    path(
        "import/report.csv",
        import_views.HoldingImportReportView.as_view(),
        name="holding_import_report",
    ),
    path(
        "import/sample.csv",
        import_views.HoldingImportSampleView.as_view(),
        name="holding_import_sample",
    ),
]
