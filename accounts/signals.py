"""Reactions to allauth events (a new citizen gets the citizen role and a welcome SMS)
and to core's language switch (the choice becomes the user's preferred language)."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from core.signals import language_chosen

from . import services


@receiver(user_signed_up)
def on_user_signed_up(sender, request, user, **kwargs):
    services.user_register_citizen(user=user)


@receiver(language_chosen)
def on_language_chosen(sender, request, user, language, **kwargs):
    services.user_set_language(user=user, language=language)
