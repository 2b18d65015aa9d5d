"""Water bill URLs: readings pages — the meter reader's route and a handheld's file
(readers and the water officer), the water officer's review of held and flagged readings."""

from django.urls import path

from ..views import readings as views

urlpatterns = [
    path("readings/", views.RouteView.as_view(), name="readings"),
    path("readings/import/", views.ImportView.as_view(), name="readings_import"),
    path("readings/import/sample.csv", views.SampleView.as_view(), name="readings_import_sample"),
    path("readings/review/", views.ReviewQueueView.as_view(), name="readings_review"),
    path("readings/review/<int:pk>/", views.ReviewView.as_view(), name="readings_review_item"),
    path("readings/<int:pk>/photo/", views.PhotoView.as_view(), name="reading_photo"),
]
