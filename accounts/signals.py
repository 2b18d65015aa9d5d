"""Reactions to allauth events: a new citizen gets the citizen role and a welcome SMS."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from . import services


@receiver(user_signed_up)
def on_user_signed_up(sender, request, user, **kwargs):
    services.user_register_citizen(user=user)
