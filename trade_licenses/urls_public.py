"""Trade licence URLs (public pages)."""

urlpatterns: list = []
