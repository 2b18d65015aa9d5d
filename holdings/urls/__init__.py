"""Holdings URLs, mounted at /holdings/ under the namespace "holdings" (holdings:statement):
citizens' pages, quick pay and the counter desk (citizen), the assessor's and revenue
officer's pages (officer), notices and certificates (documents), the register import
(imports)."""

from . import citizen, documents, imports, officer

app_name = "holdings"
urlpatterns = (
    citizen.urlpatterns + officer.urlpatterns + documents.urlpatterns + imports.urlpatterns
)
