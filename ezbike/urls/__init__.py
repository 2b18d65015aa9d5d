"""E-bike URLs, mounted at /ezbike/ under the namespace "ezbike": the e-bike officer's
pages (officer). The REST endpoints are in `api` (mounted under /api/ezbike/)."""

from . import officer

app_name = "ezbike"
urlpatterns = officer.urlpatterns
