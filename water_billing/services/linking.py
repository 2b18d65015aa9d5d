"""A citizen links a water connection to their account (Connection.user), two ways:

- **a one-time code** sent by SMS to the connection's billing mobile — the sign-in's own
  code rules and limits (accounts.lockout: code requests per number and client address
  with the growing wait, the per-number cap over all addresses; the code lives
  ACCOUNT_LOGIN_BY_CODE_TIMEOUT seconds and ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS wrong codes
  discard it);
- **a holding already linked** to the account (holdings.public.holdings_of_user): the
  connections on the citizen's own holdings are offered without a code.

A connection linked to another account is refused (a counter settles that). Each link
leaves an audit row; the code is kept hashed in the cache, never in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.digits import localize_digits, to_ascii_digits
from core.privacy import mask_mobile

from ..models import Connection
from ._common import lock, record

LINK_TRIES_LIMIT, LINK_TRIES_WINDOW = 10, 3600  # consumer numbers tried per account an hour


def _code_ttl() -> int:
    return int(getattr(settings, "ACCOUNT_LOGIN_BY_CODE_TIMEOUT", 300))


def code_minutes() -> int:
    """How long a code lives, in whole minutes (for the page that asks for it)."""
    return max(1, _code_ttl() // 60)


def _max_attempts() -> int:
    return int(getattr(settings, "ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS", 3))


def _key(user, connection: Connection) -> str:
    return f"water:link-code:{user.pk}:{connection.pk}"


def _digest(code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|{code}".encode()).hexdigest()


def _linked_elsewhere(connection: Connection, user) -> bool:
    return connection.user_id is not None and connection.user_id != user.pk


def _refuse_linked_elsewhere(connection: Connection, user) -> None:
    if _linked_elsewhere(connection, user):
        raise ValidationError(
            _(
                "Connection %(number)s is linked to another account. Bring a bill and your "
                "NID card to a counter to have it moved."
            )
            % {"number": localize_digits(connection.consumer_no)},
            code="linked_elsewhere",
        )


def _too_many(seconds: int) -> ValidationError:
    minutes = max(1, -(-seconds // 60))
    return ValidationError(
        _("Too many codes were asked for this number. Please try again in %(minutes)s minutes.")
        % {"minutes": localize_digits(minutes)},
        code="too_many_codes",
    )


def connection_link_send_code(*, user, connection: Connection, ip: str | None) -> str:
    """Send a one-time code to the connection's billing mobile; returns the mobile masked.
    Refused (ValidationError) without a billing mobile, for a connection linked to another
    account, and past the sign-in's limits for the number."""
    from accounts import lockout
    from accounts.sms import send_sms

    _refuse_linked_elsewhere(connection, user)
    mobile = connection.billing_mobile
    if not mobile:
        raise ValidationError(
            _(
                "No mobile number is recorded for bills of this connection. Link it from your "
                "holding, or at a counter."
            ),
            code="no_mobile",
        )
    try:
        wait = lockout.CODE_REQUESTS.wait_seconds(mobile, ip)
        if wait:
            raise _too_many(wait)
        if lockout.number_over_global_cap(mobile):
            raise _too_many(3600)
        lockout.CODE_REQUESTS.record(mobile, ip)
    except lockout.LockoutUnavailable:
        raise ValidationError(
            _("Codes cannot be sent for a moment. Please try again in a minute."),
            code="unavailable",
        ) from None
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_key(user, connection), {"digest": _digest(code), "wrong": 0}, _code_ttl())
    send_sms(
        mobile,
        _("Code to link water connection %(number)s to a portal account: %(code)s")
        % {"number": connection.consumer_no, "code": code},
        kind="code",
    )
    masked = mask_mobile(mobile)
    record("connection.link_code_sent", connection, actor=user, after={"mobile": masked})
    return masked


def connection_link_verify_code(*, user, connection: Connection, code: str) -> Connection:
    """Link with the code connection_link_send_code sent. A wrong code counts; after
    ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS wrong codes the code is discarded (ask for a new
    one, within the sending limits)."""
    key = _key(user, connection)
    state = cache.get(key)
    if not state:
        raise ValidationError(_("The code has expired. Ask for a new one."), code="expired")
    typed = to_ascii_digits(str(code or "")).strip()
    if not hmac.compare_digest(_digest(typed), state["digest"]):
        wrong = state["wrong"] + 1
        if wrong >= _max_attempts():
            cache.delete(key)
            raise ValidationError(
                _("Too many wrong codes. Ask for a new code."), code="too_many_wrong"
            )
        cache.set(key, {**state, "wrong": wrong}, _code_ttl())
        raise ValidationError(_("Wrong code. Check the SMS and try again."), code="wrong_code")
    cache.delete(key)
    return _link(user=user, connection=connection, method="code")


def connections_on_my_holdings(user):
    """Active or disconnected connections on the holdings linked to `user` that are not
    linked to an account yet (offered without a code)."""
    from holdings.public import holdings_of_user

    held = holdings_of_user(user)
    if not held:
        return Connection.objects.none()
    on_holdings = Q()
    for ward, number in held:
        on_holdings |= Q(ward__number=ward, holding_number=number)
    return (
        Connection.objects.filter(on_holdings, user__isnull=True)
        .exclude(status__in=[Connection.Status.CLOSED])
        .select_related("ward")
        .order_by("consumer_no")
    )


def connection_link_by_holding(*, user, connection: Connection) -> Connection:
    """Link a connection on one of `user`'s linked holdings."""
    if not connections_on_my_holdings(user).filter(pk=connection.pk).exists():
        _refuse_linked_elsewhere(connection, user)
        raise ValidationError(
            _("This connection is not on a holding linked to your account."),
            code="not_your_holding",
        )
    return _link(user=user, connection=connection, method="holding")


@transaction.atomic
def _link(*, user, connection: Connection, method: str) -> Connection:
    locked = lock(connection)
    _refuse_linked_elsewhere(locked, user)
    if locked.user_id == user.pk:
        return locked
    locked.user = user
    locked.save(update_fields=["user"])
    record(
        "connection.linked",
        locked,
        actor=user,
        before={"user": None},
        after={"user": user.pk, "method": method},
    )
    return locked


def too_many_link_tries(user) -> bool:
    """Count one consumer number tried by `user` (guards guessing numbers to send codes to):
    True past LINK_TRIES_LIMIT an hour; fails closed."""
    from core.ratelimit import over_limit

    return over_limit(
        f"water:link-tries:{user.pk}", LINK_TRIES_LIMIT, LINK_TRIES_WINDOW, fail_closed=True
    )
