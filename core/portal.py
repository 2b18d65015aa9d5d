"""How an app plugs into the portal: one declaration per app, collected by core.

Each app that has pages, panels or bills declares itself once, in its module `portal.py`:

    SPEC = ServiceSpec(key="holdings", title=_("Holding tax"), card=..., role_links=[...],
                       panels=[...], on_paid=..., verify_lookups=[...], revenue_heads=[...],
                       demo=..., reminders=...)

and CoreConfig.ready() imports every installed app's `portal` module (as Django's admin
autodiscovers `admin.py`). Core reads the declarations for the home page's service cards,
the citizen dashboard's panels and each role's work links; payments reads them for what
happens when a bill is paid, reopened or cancelled, for the /verify/ lookups, and to refuse
bills for a service nobody declared. An app that is not installed is absent from every
page. Every URL name a declaration gives is resolved by a system check, so a renamed URL
fails `manage.py check` instead of quietly vanishing.

Core imports no app: the hooks are plain callables (a payments Bill in, nothing out; a
verify lookup takes the code and returns payments' `Verified` or None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from .dashboard import Panel

Text = str | Promise


@dataclass(frozen=True)
class ServiceCard:
    """The service's card on the home page."""

    text: Text
    url_name: str  # the signed-in citizen's page
    public_url_name: str = ""  # a page for anyone (e.g. quick pay), if any
    public_link: Text = ""


@dataclass(frozen=True)
class RoleLink:
    """One work page on a role's staff dashboard."""

    role: str
    title: Text
    url_name: str


@dataclass(frozen=True)
class OpenDue:
    """Something a user owes now that no open bill covers yet (a service's `open_dues`):
    the citizen's "what I owe" and the counter list it; choosing it asks the service's
    `bill_due` for the bill. `token` is the service's own opaque name for the choice."""

    service: str  # the declaring service's key
    token: str  # what the service bills from ("h12:overdue")
    label: Text  # what it is for ("Holding tax — holding 45/A, ward 3")
    period: Text  # which period ("FY 2025-26, instalment 1")
    amount: Decimal
    due_date: date
    overdue: bool  # past its due date: due_date < today (paid on the day, it is on time)
    url: str = ""  # the subject's page, if any


@dataclass(frozen=True)
class ServiceSpec:
    key: str  # the service key bills carry ("holdings")
    title: Text
    order: int = 100  # page order, and the order seed_demo runs the `demo` seeders in
    card: ServiceCard | None = None
    role_links: Sequence[RoleLink] = ()
    panels: Sequence[Panel] = ()
    # Payments: what happens when one of this service's bills is paid, reopened (a void put
    # it back to open) or cancelled — each receives the Bill, inside the transaction.
    on_paid: Callable[[Any], None] | None = None
    on_reopened: Callable[[Any], None] | None = None
    on_cancelled: Callable[[Any], None] | None = None
    # The page of a bill's subject for its payer (a Bill in; its URL, or "" for none) and
    # the link's words ("Back to the trade licence"): the payment's status page leads there.
    subject_url: Callable[[Any], str] | None = None
    subject_link: Text = ""
    revenue_heads: Sequence[str] = ()  # what it bills; none: it issues no bills
    verify_lookups: Sequence[Callable[[str], Any]] = ()  # code -> payments.Verified | None
    demo: Callable[[], list[Any] | None] | None = None  # seed_demo: rows of (role, mobile, how)
    reminders: Callable[[], Any] | None = None  # the daily reminders (beat)
    # Every due in one place: what a user owes now with no open bill yet, and the bill for
    # one of them — bill_due(user, token, actor) creates (or reuses) it, or raises
    # ValidationError with a translated message (not the user's, paid meanwhile, ...).
    open_dues: Callable[[Any], list[OpenDue]] | None = None
    bill_due: Callable[[Any, str, Any], Any] | None = None
    # The revenue officer's "against demand": what fell due from `start` to `end` (both
    # days counted; in one ward — its pk — if given), as the service's dues ask for it
    # before rebates and surcharges: demand(start, end, ward_id) -> Decimal.
    demand: Callable[[date, date, int | None], Decimal] | None = None
    # The accounts that see these bills' subjects on their own pages (a holding's owners):
    # a write for the bills then drops only their cached figures (core.citizen_cache).
    # Bills in, user ids out; None (or no hook) when it cannot tell: everyone's are dropped.
    # Declaring it promises that the hooks above write only what the bill's payer and these
    # accounts see (holding tax's mark the holding's own instalments and arrears paid).
    subject_users: Callable[[Sequence[Any]], Iterable[int] | None] | None = None
    # The CityProfile attribute holding the city's own word for the service's title, if
    # any (KCC calls holding tax "পৌরকর"): the home card shows it instead of `title`.
    city_title: str = ""

    @property
    def bills(self) -> bool:
        return bool(self.revenue_heads)


_specs: dict[str, ServiceSpec] = {}


def register(spec: ServiceSpec) -> ServiceSpec:
    """Declare an app (from its portal.py). Declaring a key twice is a mistake."""
    existing = _specs.get(spec.key)
    if existing is not None and existing is not spec:
        raise ValueError(f"The portal key {spec.key!r} is declared twice.")
    _specs[spec.key] = spec
    return spec


def unregister(key: str) -> None:
    """Forget a declaration (tests that declare a service of their own)."""
    _specs.pop(key, None)


def autodiscover() -> None:
    """Import every installed app's `portal` module (each registers its spec)."""
    autodiscover_modules("portal")


def specs() -> list[ServiceSpec]:
    """Every declaration, in page order."""
    return sorted(_specs.values(), key=lambda s: (s.order, s.key))


def spec_for(key: str) -> ServiceSpec | None:
    return _specs.get(key)


def panels() -> list[Panel]:
    """The citizen dashboard's panels, from every declaration, in order."""
    return sorted((p for s in specs() for p in s.panels), key=lambda p: (p.order, p.key))


def role_links(role: str) -> list[dict[str, Any]]:
    """A role's work pages as {"title", "url"}, from every declaration in order."""
    return [
        {"title": link.title, "url": reverse(link.url_name)}
        for s in specs()
        for link in s.role_links
        if link.role == role
    ]


def home_cards(city: Any = None) -> list[dict[str, Any]]:
    """The home page's service cards; `city` (the CityProfile) gives the city's own words
    for the titles that declare `city_title`."""
    cards: list[dict[str, Any]] = []
    for s in specs():
        if s.card is None:
            continue
        card = s.card
        city_word = getattr(city, s.city_title, "") if city is not None and s.city_title else ""
        cards.append(
            {
                "key": s.key,
                "title": city_word or s.title,
                "text": card.text,
                "url": reverse(card.url_name),
                "public_url": reverse(card.public_url_name) if card.public_url_name else "",
                "public_link": card.public_link,
            }
        )
    return cards


def open_dues(user: Any) -> list[OpenDue]:
    """Everything `user` owes now that no open bill covers yet, from every declaration:
    overdue first, then by due date; the words in the current language (plain strings, so
    the list is cheap to keep in a cache)."""
    dues = [
        replace(due, label=str(due.label), period=str(due.period))
        for s in specs()
        if s.open_dues is not None
        for due in s.open_dues(user)
    ]
    return sorted(dues, key=lambda d: (not d.overdue, d.due_date, d.service, d.token))


def bill_due(*, user: Any, service: str, token: str, actor: Any = None) -> Any:
    """The bill for one of `user`'s open dues, from the declaring service (LookupError
    when no declaration bills dues under that key; the service raises ValidationError
    when it cannot bill this one)."""
    spec = _specs.get(service)
    if spec is None or spec.bill_due is None:
        raise LookupError(service)
    return spec.bill_due(user, token, actor)


def verify_lookups() -> list[Callable[[str], Any]]:
    return [lookup for s in specs() for lookup in s.verify_lookups]


def _url_names(spec: ServiceSpec) -> list[str]:
    names = [link.url_name for link in spec.role_links]
    if spec.card is not None:
        names += [spec.card.url_name] + (
            [spec.card.public_url_name] if spec.card.public_url_name else []
        )
    return names


@checks.register(checks.Tags.urls)
def check_declared_urls(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every URL name a declaration gives must resolve (a renamed URL fails the check)."""
    errors: list[checks.CheckMessage] = []
    for spec in specs():
        for name in _url_names(spec):
            try:
                reverse(name)
            except NoReverseMatch:
                errors.append(
                    checks.Error(
                        f"The portal declaration {spec.key!r} names the URL {name!r}, which does "
                        "not resolve.",
                        hint=f"Fix the URL name in {spec.key}'s portal.py.",
                        obj=spec.key,
                        id="core.E101",
                    )
                )
        heads_ok = all(isinstance(h, str) and h for h in spec.revenue_heads)
        if not heads_ok:
            errors.append(
                checks.Error(
                    f"The portal declaration {spec.key!r} has an empty revenue head.",
                    obj=spec.key,
                    id="core.E102",
                )
            )
    return errors


def _core_spec() -> ServiceSpec:
    from django.utils.translation import gettext_lazy as _

    from .roles import Role

    return ServiceSpec(
        key="core",
        title=_("Administration"),
        order=0,
        role_links=[
            RoleLink(Role.ADMINISTRATOR, _("City profile, wards and zones"), "admin:index"),
            RoleLink(Role.ADMINISTRATOR, _("Audit log"), "admin:core_auditlog_changelist"),
        ],
    )


register(_core_spec())  # core's own pages: the administrator's
