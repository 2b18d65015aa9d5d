"""Every write in payments: bills, the ledger (settlement, receipts, voids), the online
flow through the gateway, and the counter. One transaction each, audited."""

from .bills import (  # noqa: F401
    BillBusy,
    DueAlreadyPaid,
    LineSpec,
    bill_cancel,
    bill_issue,
    bill_subject_lock,
    bill_supersede,
)
from .counter import (  # noqa: F401
    counter_session_close,
    counter_session_open,
    counter_session_verify,
    counter_take_cash,
)
from .ledger import (  # noqa: F401
    PaymentError,
    payment_settle,
    payment_transition,
    payment_void,
)
from .online import (  # noqa: F401
    ipn_receive,
    payment_initiate_online,
    payment_reconcile,
    payment_refund_credit,
    payment_refund_held,
    payment_release_hold,
    payment_try_again,
    return_receive,
)

__all__ = [
    "bill_cancel",
    "bill_issue",
    "bill_subject_lock",
    "bill_supersede",
    "BillBusy",
    "counter_session_close",
    "counter_session_open",
    "counter_session_verify",
    "counter_take_cash",
    "DueAlreadyPaid",
    "ipn_receive",
    "LineSpec",
    "payment_initiate_online",
    "payment_reconcile",
    "payment_refund_credit",
    "payment_refund_held",
    "payment_release_hold",
    "payment_settle",
    "payment_transition",
    "payment_try_again",
    "payment_void",
    "PaymentError",
    "return_receive",
]
