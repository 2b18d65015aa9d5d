"""Payments URLs, mounted at /payments/ under the namespace "payments" (payments:bills):
the payer's bills, checkout, status and receipts and the gateway's callbacks (citizen);
the counter and the revenue officer's pages (staff)."""

from . import citizen, staff

app_name = "payments"
urlpatterns = citizen.urlpatterns + staff.urlpatterns
