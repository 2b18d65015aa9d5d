"""Trade licence URLs, mounted at /licences/ under the namespace "trade_licenses"
(trade_licenses:application): traders' pages and the counter (trader), the inspector's and
licence officer's pages (officer), the public search and certificates (public)."""

from . import officer, public, trader

app_name = "trade_licenses"
urlpatterns = trader.urlpatterns + officer.urlpatterns + public.urlpatterns
