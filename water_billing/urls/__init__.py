"""Water bill URLs, mounted at /water/ under the namespace "water_billing"
(water_billing:connections): the meter reader's and water officer's reading pages
(readings), billing runs (billing), the citizen's pages (citizen), applications for a
connection, disconnections and reports (officer). The REST endpoints are in `api`
(mounted under /api/water/)."""

from . import billing, citizen, officer, readings

app_name = "water_billing"
urlpatterns = readings.urlpatterns + billing.urlpatterns + citizen.urlpatterns + officer.urlpatterns
