"""Trade licences in the portal: their one declaration (collected by core.portal)."""

from django.utils.translation import gettext_lazy as _

from core.dashboard import Panel
from core.portal import RoleLink, ServiceCard, ServiceSpec, register
from core.roles import Role

from . import dashboard_panels, registry_hooks
from .demo import seed
from .fees import HEAD_LABELS
from .reminders import send_due_reminders
from .verify import licence_lookup

SPEC = register(
    ServiceSpec(
        key="trade_licenses",
        title=_("Trade licence"),
        order=20,
        card=ServiceCard(
            text=_(
                "Apply from home, upload documents, follow the application and renew for the "
                "next fiscal year in one step."
            ),
            url_name="trade_licenses:mine",
        ),
        role_links=[
            RoleLink(
                Role.LICENCE_INSPECTOR,
                _("Applications waiting for inspection"),
                "trade_licenses:inspection_queue",
            ),
            RoleLink(
                Role.LICENCE_OFFICER,
                _("Applications waiting for approval"),
                "trade_licenses:approval_queue",
            ),
            RoleLink(Role.LICENCE_OFFICER, _("Licence reports"), "trade_licenses:reports"),
            RoleLink(Role.REVENUE_OFFICER, _("Licence reports"), "trade_licenses:reports"),
        ],
        panels=[
            Panel(
                key="licences",
                title=_("My trade licences"),
                order=20,
                template="trade_licenses/trader/panel.html",
                context=dashboard_panels.panel,
            )
        ],
        on_paid=registry_hooks.on_paid,
        on_cancelled=registry_hooks.on_cancelled,
        subject_users=registry_hooks.subject_users,
        on_reopened=registry_hooks.on_reopened,
        subject_url=registry_hooks.subject_url,
        subject_link=_("Back to the trade licence"),
        revenue_heads=list(HEAD_LABELS),
        verify_lookups=[licence_lookup],
        demo=seed,
        reminders=send_due_reminders,
    )
)
