"""The SSLCommerz v4 client; see :mod:`.client`."""

from .client import *  # noqa: F403
from .client import (  # noqa: F401
    MAX_AMOUNT,
    MAX_TRAN_ID_LENGTH,
    MAX_VALUE_FIELD_LENGTH,
    MERCHANT_TRANS_PATH,
    MIN_AMOUNT,
    SESSION_PATH,
    VALIDATION_PATH,
)
