"""Market shops' REST endpoints, mounted at /api/ (names prefixed `api_`)."""

from django.urls import URLPattern, path

from .. import api, ijara_api

urlpatterns: list[URLPattern] = [
    path("shops/", api.ShopListView.as_view(), name="api_shops"),
    path("ijara/tenders/", ijara_api.TenderListView.as_view(), name="api_ijara_tenders"),
    path("ijara/tenders/<int:pk>/bids/", ijara_api.BidCreateView.as_view(), name="api_ijara_bid"),
    path("ijara/bids/", ijara_api.MyBidsView.as_view(), name="api_ijara_bids"),
]
