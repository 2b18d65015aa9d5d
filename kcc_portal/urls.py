"""Top-level URLs: wiring only."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from accounts.api import MeView, StaffSchemaView, StaffSwaggerView
from accounts.views import admin_login
from core import views as core_views
from payments import api as payments_api
from payments.views import receipts as receipt_views

api_patterns: list[URLPattern | URLResolver] = [
    # For staff only (accounts.api); the docs page loads its script from itself (CSP).
    path("schema/", StaffSchemaView.as_view(), name="schema"),
    path("docs/", StaffSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("me/", MeView.as_view(), name="api_me"),
    path("bills/", payments_api.BillListView.as_view(), name="api_bills"),
    path("payments/", payments_api.PaymentCreateView.as_view(), name="api_payments"),
    path("payments/<str:tran_id>/", payments_api.PaymentDetailView.as_view(), name="api_payment"),
    path("water/", include("water_billing.urls.api")),
    path("", include("market_leases.urls.api")),
    path("ezbike/", include("ezbike.urls.api")),
]

# The admin has no password-only sign-in of its own: its login page sends everyone to the
# portal's sign-in (number, one-time code, then the staff password, with their limits).
admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("city/logo", core_views.city_logo, name="city_logo"),
    path("i18n/setlang/", core_views.SetLanguageView.as_view(), name="set_language"),
    path("dashboard/", core_views.DashboardView.as_view(), name="dashboard"),
    path("staff/", core_views.StaffHomeView.as_view(), name="staff_home"),
    path("staff/<slug:role>/", core_views.StaffDashboardView.as_view(), name="staff_dashboard"),
    path("verify/", receipt_views.verify_form, name="verify_form"),
    path("verify/<str:code>/", receipt_views.verify, name="verify"),
    path("payments/", include("payments.urls")),
    path("holdings/", include("holdings.urls")),
    path("licences/", include("trade_licenses.urls")),
    path("water/", include("water_billing.urls")),
    path("markets/", include("market_leases.urls")),
    path("ezbike/", include("ezbike.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from accounts.views import dev_sms_outbox

    urlpatterns.append(path("dev/sms/", dev_sms_outbox, name="dev_sms_outbox"))

if settings.SSLCOMMERZ_SIMULATOR_ENABLED:
    urlpatterns.append(
        path(
            settings.SSLCOMMERZ_SIMULATOR_PATH.strip("/") + "/",
            include("payments.simulator.urls"),
        )
    )
