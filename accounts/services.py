"""Writes for accounts: one transaction each, audited, side effects after commit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from core import audit
from core.roles import Role, perm

from .models import User

PROFILE_FIELDS = ["name_bn", "name_en", "email", "nid", "address", "ward_id", "preferred_language"]


@transaction.atomic
def user_register_citizen(*, user: User) -> User:
    """Give a newly signed-up user the citizen role and queue the welcome SMS."""
    from . import tasks

    group, _ = Group.objects.get_or_create(name=Role.CITIZEN)
    user.groups.add(group)
    audit.record(action="user.signed_up", obj=user, actor=user, after={"mobile": user.mobile})
    transaction.on_commit(lambda: tasks.send_welcome_sms.delay(user.pk), robust=True)
    return user


@transaction.atomic
def user_update_profile(*, user: User, data: dict, actor: User | None = None) -> User:
    """Apply profile fields from a cleaned form and audit what changed."""
    before = audit.snapshot(user, PROFILE_FIELDS)
    for field in PROFILE_FIELDS:
        key = field.removesuffix("_id") if field.endswith("_id") else field
        if key in data:
            setattr(user, key, data[key])
    user.full_clean(exclude=["password", "mobile"])
    user.save()
    old, new = audit.changed(before, audit.snapshot(user, PROFILE_FIELDS))
    if new:
        audit.record(
            action="user.profile_updated", obj=user, actor=actor or user, before=old, after=new
        )
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str, actor: User | None = None) -> User:
    """Keep the language a user chose (the switch on every page) as their preference."""
    if language not in {code for code, _label in settings.LANGUAGES}:
        raise ValueError(f"Unknown language {language!r}.")
    before = user.preferred_language
    if before == language:
        return user
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    audit.record(
        action="user.language_changed",
        obj=user,
        actor=actor or user,
        before={"preferred_language": before},
        after={"preferred_language": language},
    )
    return user


def user_uses_api(user: User) -> bool:
    """Whether the account works with the REST API, and so sees the API-token controls:
    an administrator, or an account an administrator has issued a token to (a meter
    reader's app, a bidder's or a bank's system). Citizens on the web need none."""
    return user.has_perm(perm("administer_portal")) or Token.objects.filter(user=user).exists()


@transaction.atomic
def user_rotate_api_token(*, user: User, actor: User | None = None) -> Token:
    """Issue the user's REST API token, replacing (and so revoking) any earlier one."""
    previous = Token.objects.select_for_update().filter(user=user).first()
    if previous is not None:
        previous.delete()
    token = Token.objects.create(user=user)
    # The action name predates this service; reports and tests look for it.
    audit.record(
        action="user.api_token_created",
        obj=user,
        actor=actor or user,
        after={"replaced": previous is not None},
    )
    return token


@transaction.atomic
def user_create_staff(
    *,
    mobile: str,
    password: str,
    role: str,
    name_bn: str = "",
    name_en: str = "",
    ward=None,
    zone=None,
) -> User:
    """Create (or update) a staff account with one role; used by seed_demo and the admin."""
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        user = User.objects.create_user(mobile=mobile, password=password)
    else:
        user.set_password(password)
    user.name_bn, user.name_en = name_bn, name_en
    user.mobile_verified = True
    user.ward, user.zone = ward, zone
    user.is_staff = role == Role.ADMINISTRATOR
    user.is_superuser = role == Role.ADMINISTRATOR
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


@transaction.atomic
def user_find_or_create_citizen(
    *, mobile: str, name_bn: str = "", name_en: str = "", actor=None
) -> User:
    """The account with this mobile number, or a new citizen account opened for it by a
    member of staff (at a counter); the opening is audited."""
    from core.validators import normalize_mobile

    mobile = normalize_mobile(mobile)
    user, created = User.objects.get_or_create(
        mobile=mobile, defaults={"name_bn": name_bn, "name_en": name_en}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=Role.CITIZEN))
        audit.record(
            action="user.opened_by_staff",
            obj=user,
            actor=actor,
            after={"mobile": mobile, "name_bn": name_bn, "name_en": name_en},
        )
    return user
