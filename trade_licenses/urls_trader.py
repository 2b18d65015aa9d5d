"""Trade licence URLs (trader pages)."""

urlpatterns: list = []
