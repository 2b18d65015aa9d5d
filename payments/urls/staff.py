"""Staff payment pages, mounted under /payments/: the counter and the revenue officer."""

from django.urls import path

from ..views import cashbook as cashbook_views
from ..views import closing as closing_views
from ..views import collections as collections_views
from ..views import counter as counter_views
from ..views import dues as dues_views
from ..views import paper as paper_views
from ..views import reconciliation as reconciliation_views
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
    # Paper receipt books: the clerk's back-entry, the revenue officer's books
    path("counter/paper/", paper_views.PaperReceiptsView.as_view(), name="counter_paper"),
    path(
        "revenue/receipt-books/",
        paper_views.ReceiptBooksView.as_view(),
        name="revenue_receipt_books",
    ),
    path(
        "revenue/receipt-books/<int:pk>/",
        paper_views.ReceiptBookView.as_view(),
        name="revenue_receipt_book",
    ),
    path(
        "revenue/receipt-books/<int:pk>/issue/",
        paper_views.ReceiptBookIssueView.as_view(),
        name="revenue_receipt_book_issue",
    ),
    path(
        "revenue/receipt-books/<int:pk>/close/",
        paper_views.ReceiptBookCloseView.as_view(),
        name="revenue_receipt_book_close",
    ),
    # Revenue officer: counter cash to the bank
    path("revenue/cash-book/", cashbook_views.CashBookView.as_view(), name="revenue_cash_book"),
    path(
        "revenue/cash-book/deposit/",
        cashbook_views.DepositRecordView.as_view(),
        name="revenue_deposit_record",
    ),
    path(
        "revenue/deposits/<int:pk>/", cashbook_views.DepositView.as_view(), name="revenue_deposit"
    ),
    path(
        "revenue/deposits/<int:pk>/explain/",
        cashbook_views.DepositExplainView.as_view(),
        name="revenue_deposit_explain",
    ),
    # Revenue officer: gateway settlement reconciliation
    path(
        "revenue/reconciliation/",
        reconciliation_views.ReconciliationView.as_view(),
        name="revenue_reconciliation",
    ),
    path(
        "revenue/reconciliation/reports/<int:pk>/",
        reconciliation_views.SettlementView.as_view(),
        name="revenue_settlement",
    ),
    path(
        "revenue/reconciliation/cases/",
        reconciliation_views.CasesView.as_view(),
        name="revenue_cases",
    ),
    path(
        "revenue/reconciliation/cases/<int:pk>/",
        reconciliation_views.CaseView.as_view(),
        name="revenue_case",
    ),
    path(
        "revenue/reconciliation/cases/<int:pk>/resolve/",
        reconciliation_views.CaseResolveView.as_view(),
        name="revenue_case_resolve",
    ),
    path(
        "revenue/reconciliation/cases/<int:pk>/ask-gateway/",
        reconciliation_views.CaseAskGatewayView.as_view(),
        name="revenue_case_ask_gateway",
    ),
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
