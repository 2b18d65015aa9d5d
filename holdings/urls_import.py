"""Holdings URLs (import pages)."""

urlpatterns: list = []
