"""Water bill URLs: the water officer's billing runs."""

from django.urls import path

from ..views import billing as views

urlpatterns = [
    path("billing/", views.BillingRunsView.as_view(), name="billing_runs"),
    path("billing/runs/<int:pk>/", views.BillingRunView.as_view(), name="billing_run"),
]
