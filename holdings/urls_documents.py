"""Holdings URLs (documents pages)."""

urlpatterns: list = []
