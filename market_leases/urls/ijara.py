"""Ijara pages, under /markets/ (namespace market_leases): the bidder's and the estate
officer's (market_leases/views/ijara.py)."""

from django.urls import path

from ..views import ijara, khas

urlpatterns = [
    path("ijara/", ijara.tenders, name="ijara_tenders"),
    path("ijara/tenders/<int:pk>/", ijara.tender_page, name="ijara_tender"),
    path("ijara/tenders/<int:pk>/work-order.pdf", ijara.work_order, name="ijara_work_order"),
    path("ijara/bids/", ijara.my_bids, name="ijara_bids"),
    path("ijara/bids/<int:pk>/pay/", ijara.bid_pay, name="ijara_bid_pay"),
    path("counter/khas/", khas.KhasCounterView.as_view(), name="khas"),
    path("officer/ijara/", ijara.OfficerTendersView.as_view(), name="ijara_officer"),
    path("officer/ijara/new/", ijara.TenderNewView.as_view(), name="ijara_officer_new"),
    path(
        "officer/ijara/<int:pk>/",
        ijara.OfficerTenderView.as_view(),
        name="ijara_officer_tender",
    ),
]
