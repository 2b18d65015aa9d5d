"""Local stand-in for the SSLCommerz v4 gateway (app label ``gateway_simulator``).

Mounted under ``settings.SSLCOMMERZ_SIMULATOR_PATH`` only when
``settings.SSLCOMMERZ_SIMULATOR_ENABLED`` is true (never with production settings). The
portal's real client, :class:`payments.gateways.sslcommerz.SSLCommerzClient`, talks to it
over HTTP, so demo, tests and production run the same client code.
"""
