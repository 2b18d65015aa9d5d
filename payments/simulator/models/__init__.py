"""State of the SSLCommerz simulator, and the protocol fields "the gateway" sends.

One :class:`SimulatedTransaction` row per checkout session (a retry of the same tran_id
is a new session, hence a new row); one :class:`SimulatedRefund` row per refund.

Everything that decides *what the gateway answers* lives here (session checks, outcome
of the checkout, IPN/validation/transaction-query fields, refund rules), so the views
only parse HTTP and render. State changes that must happen once (paying a session,
validating it for the first time) are conditional ``UPDATE ... WHERE status = ...``
statements, so two concurrent requests cannot both win.

Modules, by topic: :mod:`.protocol` (how the gateway writes amounts, times and ids;
refusals), :mod:`.switches` (the checkout page's test switches), :mod:`.transactions`
(checkout sessions) and :mod:`.refunds`. Import from this package, not from them
(migrations name ``payments.simulator.models.new_sessionkey`` and ``new_refund_ref_id``).
"""

from .protocol import (
    CENT,
    GATEWAY_FEE_RATE,
    SESSION_LIFETIME,
    SESSION_REQUIRED_FIELDS,
    VALUE_FIELDS,
    RefundRefused,
    SessionRefused,
    gateway_time,
    money_text,
    new_refund_ref_id,
    new_sessionkey,
    parse_amount,
)
from .refunds import SimulatedRefund, SimulatedRefundQuerySet
from .switches import (
    DEFAULT_SLOW_SECONDS,
    MAX_SLOW_SECONDS,
    SLOW_SWITCH,
    SWITCH_FLAGS,
    parse_flag,
    parse_slow_seconds,
    switches_from_checkout,
)
from .transactions import SimulatedTransaction, SimulatedTransactionQuerySet

__all__ = [
    "CENT",
    "DEFAULT_SLOW_SECONDS",
    "GATEWAY_FEE_RATE",
    "MAX_SLOW_SECONDS",
    "SESSION_LIFETIME",
    "SESSION_REQUIRED_FIELDS",
    "SLOW_SWITCH",
    "SWITCH_FLAGS",
    "VALUE_FIELDS",
    "RefundRefused",
    "SessionRefused",
    "SimulatedRefund",
    "SimulatedRefundQuerySet",
    "SimulatedTransaction",
    "SimulatedTransactionQuerySet",
    "gateway_time",
    "money_text",
    "new_refund_ref_id",
    "new_sessionkey",
    "parse_amount",
    "parse_flag",
    "parse_slow_seconds",
    "switches_from_checkout",
]
