"""State of the SSLCommerz simulator; see :mod:`.transactions`."""

from .transactions import *  # noqa: F403
