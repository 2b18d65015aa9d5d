"""Holdings URLs (citizen pages)."""

urlpatterns: list = []
