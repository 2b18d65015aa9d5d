"""Trade licence URLs (officer pages)."""

urlpatterns: list = []
