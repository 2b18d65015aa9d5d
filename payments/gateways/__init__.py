"""Payment gateways. `get_client()` builds the SSLCommerz client from settings."""

from django.conf import settings

from .sslcommerz import SSLCommerzClient


def get_client(**kwargs) -> SSLCommerzClient:
    return SSLCommerzClient(
        base_url=settings.SSLCOMMERZ_BASE_URL,
        store_id=settings.SSLCOMMERZ_STORE_ID,
        store_password=settings.SSLCOMMERZ_STORE_PASSWORD,
        **kwargs,
    )
