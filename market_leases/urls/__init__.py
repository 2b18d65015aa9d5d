"""Market shop URLs, mounted at /markets/ under the namespace "market_leases": the lessee's
pages (my shops, a shop's rent statement, the allotment letter) and the estate officer's
(markets, shops, allotting, an allotment, the monthly rent runs)."""

from django.urls import path

from ..views import counter, lessee, officer, renewal, reports

app_name = "market_leases"
urlpatterns = [
    path("", lessee.my_shops, name="mine"),
    path("shops/<int:pk>/", lessee.shop_page, name="shop"),
    path("shops/<int:pk>/pay-allotment/", lessee.pay_allotment, name="pay_allotment"),
    path("allotments/<int:pk>/letter.pdf", officer.letter, name="letter"),
    path("counter/", counter.RentCounterView.as_view(), name="counter"),
    path("officer/", officer.MarketsView.as_view(), name="markets"),
    path("officer/shops/", officer.ShopsView.as_view(), name="shops"),
    path("officer/shops/<int:pk>/allot/", officer.AllotView.as_view(), name="allot"),
    path("officer/allotments/<int:pk>/", officer.AllotmentView.as_view(), name="allotment"),
    path("officer/allotments/<int:pk>/transfer/", officer.TransferView.as_view(), name="transfer"),
    path("officer/allotments/<int:pk>/arrears/", officer.ArrearsView.as_view(), name="arrears"),
    path("officer/arrears/", officer.ArrearsListView.as_view(), name="arrears_list"),
    path("officer/rent/", officer.RentRunsView.as_view(), name="rent_runs"),
    path("officer/rent/runs/<int:pk>/", officer.RentRunView.as_view(), name="rent_run"),
    path("officer/reports/rent/", reports.CollectionReportView.as_view(), name="report_collection"),
    path("officer/reports/arrears/", reports.ArrearsReportView.as_view(), name="report_arrears"),
    path("officer/reports/vacant/", reports.VacantReportView.as_view(), name="report_vacant"),
    path("officer/reports/ijara/", reports.IjaraResultsView.as_view(), name="report_ijara"),
    path("officer/renewals/", renewal.RenewalsView.as_view(), name="renewals"),
    path("officer/allotments/<int:pk>/renew/", renewal.RenewView.as_view(), name="renew"),
]

from .ijara import urlpatterns as ijara_urlpatterns  # noqa: E402

urlpatterns += ijara_urlpatterns
