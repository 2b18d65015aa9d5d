"""Roles are auth groups with permissions; this is the one list of them.

The groups are created by a data migration in accounts; permission codenames live on
accounts.User's Meta so that every role can be granted without touching service apps.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    COUNTER_CLERK = "counter_clerk", _("Counter clerk")
    LICENCE_INSPECTOR = "licence_inspector", _("Licence inspector")
    LICENCE_OFFICER = "licence_officer", _("Licence officer")
    ASSESSOR = "assessor", _("Assessor")
    ESTATE_OFFICER = "estate_officer", _("Estate officer")
    EBIKE_OFFICER = "ebike_officer", _("E-bike officer")
    WATER_OFFICER = "water_officer", _("Water officer")
    METER_READER = "meter_reader", _("Meter reader")
    TRAFFIC_STAFF = "traffic_staff", _("Traffic staff")
    REVENUE_OFFICER = "revenue_officer", _("Revenue officer")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = [r for r in Role if r != Role.CITIZEN]

# codename -> description; declared on accounts.User.Meta.permissions.
PERMISSIONS = {
    "use_citizen_services": "Can use citizen services",
    "use_counter": "Can take payments and file applications at the counter",
    "inspect_trade_licences": "Can inspect trade licence applications",
    "approve_trade_licences": "Can approve trade licences",
    "assess_holdings": "Can assess holdings",
    "manage_markets": "Can manage markets, shops and leases",
    "manage_ebikes": "Can manage e-bike registrations",
    "manage_water": "Can manage water connections, meters and tariffs and review readings",
    "record_meter_readings": "Can record water meter readings",
    "check_ebike_plates": "Can check an e-bike's number plate",
    "view_revenue_reports": "Can see collection and revenue reports",
    "verify_counter_sessions": "Can verify counter cash sessions",
    "void_payments": "Can void payments and approve refunds",
    "view_staff_dashboard": "Can open the staff dashboard",
    "administer_portal": "Can administer the portal",
}

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CITIZEN: ["use_citizen_services"],
    Role.COUNTER_CLERK: ["view_staff_dashboard", "use_counter"],
    Role.LICENCE_INSPECTOR: ["view_staff_dashboard", "inspect_trade_licences"],
    Role.LICENCE_OFFICER: ["view_staff_dashboard", "approve_trade_licences"],
    Role.ASSESSOR: ["view_staff_dashboard", "assess_holdings"],
    Role.ESTATE_OFFICER: ["view_staff_dashboard", "manage_markets"],
    Role.EBIKE_OFFICER: ["view_staff_dashboard", "manage_ebikes"],
    Role.WATER_OFFICER: ["view_staff_dashboard", "manage_water"],
    Role.METER_READER: ["view_staff_dashboard", "record_meter_readings"],
    Role.TRAFFIC_STAFF: ["view_staff_dashboard", "check_ebike_plates"],
    Role.REVENUE_OFFICER: [
        "view_staff_dashboard",
        "view_revenue_reports",
        "verify_counter_sessions",
        "void_payments",
    ],
    Role.ADMINISTRATOR: list(PERMISSIONS),
}

# The permission that opens each role's staff dashboard.
ROLE_DASHBOARD_PERMISSION: dict[str, str] = {
    Role.COUNTER_CLERK: "use_counter",
    Role.LICENCE_INSPECTOR: "inspect_trade_licences",
    Role.LICENCE_OFFICER: "approve_trade_licences",
    Role.ASSESSOR: "assess_holdings",
    Role.ESTATE_OFFICER: "manage_markets",
    Role.EBIKE_OFFICER: "manage_ebikes",
    Role.WATER_OFFICER: "manage_water",
    Role.METER_READER: "record_meter_readings",
    Role.TRAFFIC_STAFF: "check_ebike_plates",
    Role.REVENUE_OFFICER: "view_revenue_reports",
    Role.ADMINISTRATOR: "administer_portal",
}


def perm(codename: str) -> str:
    """The full permission name as used by has_perm()."""
    return f"accounts.{codename}"


def signs_in_as_staff(user: Any) -> bool:
    """Staff accounts have a password and sign in with it after the code
    (accounts.stages); administrators too. A citizen's account has none: no staff role's
    pages or menu are for it, so its pages need not load its permissions."""
    return bool(user.is_authenticated and (user.is_staff or user.has_usable_password()))
