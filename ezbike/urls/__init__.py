"""E-bike URLs, mounted at /ezbike/ under the namespace "ezbike": the e-bike officer's
pages (officer), the owner's pages and applications (citizen). The REST endpoints are in
`api` (mounted under /api/ezbike/)."""

from . import citizen, officer

app_name = "ezbike"
urlpatterns = officer.urlpatterns + citizen.urlpatterns
