"""Holdings URLs (officer pages)."""

urlpatterns: list = []
