"""URLs of the SSLCommerz simulator, mounted at ``settings.SSLCOMMERZ_SIMULATOR_PATH``.

The gateway paths come from the client's constants, so client and simulator agree.
"""

from django.urls import path

from payments.gateways.sslcommerz import MERCHANT_TRANS_PATH, SESSION_PATH, VALIDATION_PATH

from . import views

app_name = "gateway_simulator"

urlpatterns = [
    path(SESSION_PATH.lstrip("/"), views.session_api, name="session"),
    path("checkout/<str:sessionkey>/", views.CheckoutView.as_view(), name="checkout"),
    path(VALIDATION_PATH.lstrip("/"), views.validation_api, name="validation"),
    path(MERCHANT_TRANS_PATH.lstrip("/"), views.merchant_trans_api, name="merchant_trans"),
    path("control/<str:tran_id>/", views.control, name="control"),
    path("report/settlement/", views.settlement_report, name="settlement_report"),
]
