"""Every write for market shops and leases: the register (markets' shops, lessees) and the
allotment of a vacant shop, with the one function that moves an allotment's status. One
transaction each; each refusal is a ValidationError with a translated message and nothing
changed; every write leaves an audit row.

Modules: ``register`` (shop_register, lessee_register), ``allotments`` (shop_allot,
allotment_set_status — the one place an allotment's status moves, with its history row).
Callers import from ``market_leases.services``.
"""

from .allotments import allotment_set_status, shop_allot  # noqa: F401
from .casework import (  # noqa: F401
    agreements_expire,
    allotment_renew,
    arrears_decide,
    arrears_notice,
    transfer_request,
)
from .register import lessee_register, shop_register  # noqa: F401
