"""Accounts in the portal: the demo sign-ins (seeded first) and the administrator's users."""

from django.utils.translation import gettext_lazy as _

from core.portal import RoleLink, ServiceSpec, register
from core.roles import Role

from .demo import seed

SPEC = register(
    ServiceSpec(
        key="accounts",
        title=_("Accounts"),
        order=1,
        role_links=[
            RoleLink(Role.ADMINISTRATOR, _("Users and roles"), "admin:accounts_user_changelist")
        ],
        demo=seed,
    )
)
