"""Every write for e-bikes. One transaction each; each refusal is a ValidationError with a
translated message and nothing changed; every write leaves an audit row.

Modules: ``register`` (owner_register — the residency rule —, vehicle_register,
driver_register, driver_assign, driver_release), ``licences`` (licence_apply,
licence_set_status — the one place a licence's status moves, with its history row —,
licence_approve and waiting_list_advance under the fleet cap, licences_expire_due),
``cards`` (card_bind, card_replace, card_blacklist, refresh_lookup), ``devices``
(device_register, device_revoke) and ``scans`` (scan_batch, plate_status). Callers import
from ``ezbike.services``.
"""

from .cards import card_bind, card_blacklist, card_replace, refresh_lookup  # noqa: F401
from .devices import active_device, device_register, device_revoke, token_hash  # noqa: F401
from .licences import (  # noqa: F401
    fleet_counts,
    licence_apply,
    licence_approve,
    licence_set_status,
    licences_expire_due,
    schedule_deadline_moved,
    waiting_list_advance,
)
from .register import (  # noqa: F401
    driver_assign,
    driver_register,
    driver_release,
    owner_register,
    vehicle_register,
)
from .scans import BatchRefused, plate_status, scan_batch  # noqa: F401
