"""Staff payment pages, mounted under /payments/: the counter and the revenue officer."""

from django.urls import path

from ..views import closing as closing_views
from ..views import collections as collections_views
from ..views import counter as counter_views
from ..views import dues as dues_views
from ..views import revenue as revenue_views

urlpatterns = [
    # Counter clerk
    path("counter/", counter_views.CounterHomeView.as_view(), name="counter_home"),
    path(
        "counter/open/", counter_views.CounterOpenSessionView.as_view(), name="counter_session_open"
    ),
    path("counter/take/", counter_views.CounterTakeCashView.as_view(), name="counter_take"),
    path(
        "counter/dues/<str:service>/<str:token>/",
        dues_views.CounterBillDueView.as_view(),
        name="counter_bill_due",
    ),
    path(
        "counter/payments/<str:tran_id>/",
        counter_views.CounterPaymentView.as_view(),
        name="counter_payment",
    ),
    path("counter/close/", counter_views.CounterCloseView.as_view(), name="counter_close"),
    path(
        "counter/sessions/<int:pk>/",
        counter_views.CounterSessionView.as_view(),
        name="counter_session",
    ),
    # Revenue officer
    path(
        "revenue/collections/",
        collections_views.CollectionsView.as_view(),
        name="revenue_collections",
    ),
    path(
        "revenue/collections/payments/",
        collections_views.CollectionRowsView.as_view(),
        name="revenue_collection_rows",
    ),
    path("revenue/sessions/", revenue_views.RevenueSessionsView.as_view(), name="revenue_sessions"),
    path(
        "revenue/sessions/<int:pk>/verify/",
        revenue_views.RevenueSessionVerifyView.as_view(),
        name="revenue_session_verify",
    ),
    path("revenue/payments/", revenue_views.RevenuePaymentsView.as_view(), name="revenue_payments"),
    path(
        "revenue/payments/<str:tran_id>/",
        revenue_views.RevenuePaymentView.as_view(),
        name="revenue_payment",
    ),
    path(
        "revenue/payments/<str:tran_id>/release/",
        revenue_views.RevenuePaymentActionView.as_view(action="release"),
        name="revenue_payment_release",
    ),
    path(
        "revenue/payments/<str:tran_id>/refund/",
        revenue_views.RevenuePaymentActionView.as_view(action="refund"),
        name="revenue_payment_refund",
    ),
    path(
        "revenue/payments/<str:tran_id>/void/",
        revenue_views.RevenuePaymentActionView.as_view(action="void"),
        name="revenue_payment_void",
    ),
    path("revenue/credits/", revenue_views.RevenueCreditsView.as_view(), name="revenue_credits"),
    # Revenue officer: closing months and the daily collection register
    path("revenue/months/", closing_views.MonthsView.as_view(), name="revenue_months"),
    path(
        "revenue/months/<int:year>/<int:month>/",
        closing_views.MonthView.as_view(),
        name="revenue_month",
    ),
    path(
        "revenue/months/<int:year>/<int:month>/close/",
        closing_views.MonthCloseView.as_view(),
        name="revenue_month_close",
    ),
    path(
        "revenue/months/<int:year>/<int:month>/reopen/",
        closing_views.MonthReopenView.as_view(),
        name="revenue_month_reopen",
    ),
    path(
        "revenue/months/<int:year>/<int:month>/register/",
        closing_views.MonthRegisterView.as_view(),
        name="revenue_month_register",
    ),
    path(
        "revenue/months/<int:year>/<int:month>/register.pdf",
        closing_views.MonthRegisterPdfView.as_view(),
        name="revenue_month_register_pdf",
    ),
    path(
        "revenue/credits/<int:pk>/refund/",
        revenue_views.RevenueCreditRefundView.as_view(),
        name="revenue_credit_refund",
    ),
]
