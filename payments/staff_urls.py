"""Staff payment pages, mounted under /payments/: the counter and the revenue officer."""

from django.urls import path

from . import staff_views as views

urlpatterns = [
    # Counter clerk
    path("counter/", views.CounterHomeView.as_view(), name="counter_home"),
    path("counter/open/", views.CounterOpenSessionView.as_view(), name="counter_session_open"),
    path("counter/take/", views.CounterTakeCashView.as_view(), name="counter_take"),
    path("counter/payments/<str:tran_id>/", views.CounterPaymentView.as_view(),
         name="counter_payment"),
    path("counter/close/", views.CounterCloseView.as_view(), name="counter_close"),
    path("counter/sessions/<int:pk>/", views.CounterSessionView.as_view(),
         name="counter_session"),
    # Revenue officer
    path("revenue/sessions/", views.RevenueSessionsView.as_view(), name="revenue_sessions"),
    path("revenue/sessions/<int:pk>/verify/", views.RevenueSessionVerifyView.as_view(),
         name="revenue_session_verify"),
    path("revenue/payments/", views.RevenuePaymentsView.as_view(), name="revenue_payments"),
    path("revenue/payments/<str:tran_id>/", views.RevenuePaymentView.as_view(),
         name="revenue_payment"),
    path("revenue/payments/<str:tran_id>/release/",
         views.RevenuePaymentActionView.as_view(action="release"),
         name="revenue_payment_release"),
    path("revenue/payments/<str:tran_id>/refund/",
         views.RevenuePaymentActionView.as_view(action="refund"),
         name="revenue_payment_refund"),
    path("revenue/payments/<str:tran_id>/void/",
         views.RevenuePaymentActionView.as_view(action="void"), name="revenue_payment_void"),
    path("revenue/credits/", views.RevenueCreditsView.as_view(), name="revenue_credits"),
    path("revenue/credits/<int:pk>/refund/", views.RevenueCreditRefundView.as_view(),
         name="revenue_credit_refund"),
]
