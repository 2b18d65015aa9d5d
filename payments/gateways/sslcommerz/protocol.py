"""SSLCommerz protocol constants: API paths, signed and settled fields, amount and length limits."""

from __future__ import annotations

import re
from decimal import Decimal

SESSION_PATH = "/gwprocess/v4/api.php"
VALIDATION_PATH = "/validator/api/validationserverAPI.php"
MERCHANT_TRANS_PATH = "/validator/api/merchantTransIDvalidationAPI.php"

#: Fields a verify_key must cover, otherwise the IPN is refused.
REQUIRED_SIGNED_KEYS: frozenset[str] = frozenset(
    {"amount", "currency", "tran_id", "val_id", "status"}
)
#: Validation/transaction statuses that mean "the money arrived".
SETTLED_STATUSES: frozenset[str] = frozenset({"VALID", "VALIDATED"})

MIN_AMOUNT = Decimal("10.00")
MAX_AMOUNT = Decimal("500000.00")
MAX_TRAN_ID_LENGTH = 30
MAX_VALUE_FIELD_LENGTH = 255

SIGNATURE_FIELDS = ("verify_key", "verify_sign", "verify_sign_sha2")
STORE_PASSWD_KEY = "store_passwd"  # noqa: S105 - the field's name, not a password
CENT = Decimal("0.01")
MAX_REASON_CHARS = 300

#: store_passwd=<anything up to a separator>, as it appears in URLs and form bodies.
STORE_PASSWD_RE = re.compile(r"(store_passwd=)[^&\s'\"]*")
