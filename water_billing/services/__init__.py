"""Every write for water bills: the register (connections and their status), meters, and
readings. One transaction each; each refusal is a ValidationError with a translated message
and nothing changed; every write leaves an audit row.

Modules: ``connections`` (connection_register, connection_set_status — the one place a
connection's status moves, with its history row), ``meters`` (meter_install,
meter_replace), ``readings`` (reading_record, reading_estimate). Callers import from
``water_billing.services``.
"""

from .connections import connection_register, connection_set_status  # noqa: F401
from .meters import meter_install, meter_replace  # noqa: F401
from .readings import reading_estimate, reading_record  # noqa: F401
