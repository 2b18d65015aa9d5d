from django.urls import path

from ..views import citizen as views
from ..views import dues as dues_views
from ..views import receipts as receipt_views

urlpatterns = [
    path("bills/", views.my_bills, name="bills"),
    path("checkout/", views.checkout, name="checkout"),
    path("dues/<str:service>/<str:token>/", dues_views.bill_due, name="bill_due"),
    path("history/", views.my_payments, name="history"),
    path("p/<str:tran_id>/", views.payment_status, name="status"),
    path("p/<str:tran_id>/again/", views.payment_again, name="again"),
    path("p/<str:tran_id>/receipt.pdf", views.payment_receipt_pdf, name="payment_receipt_pdf"),
    path("sslcommerz/ipn/", views.sslcommerz_ipn, name="sslcommerz_ipn"),
    path("sslcommerz/success/", views.sslcommerz_success, name="sslcommerz_success"),
    path("sslcommerz/fail/", views.sslcommerz_fail, name="sslcommerz_fail"),
    path("sslcommerz/cancel/", views.sslcommerz_cancel, name="sslcommerz_cancel"),
    path("receipts/<path:number>/pdf/", receipt_views.receipt_pdf, name="receipt_pdf"),
]
