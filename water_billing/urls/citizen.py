"""Water bill URLs: citizen pages (a month's bill as PDF; the pay link of a bill's SMS)."""

from django.urls import path

from ..views import citizen as views

urlpatterns = [
    path("bills/<int:pk>/pdf/", views.bill_pdf, name="bill_pdf"),
    path("pay/<str:code>/", views.pay, name="pay"),
]
