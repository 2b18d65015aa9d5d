"""Reactions to allauth events (a new citizen gets the citizen role and a welcome SMS),
to core's language switch (the choice becomes the user's preferred language) and to
core's requests for a text message (payments' receipts, sent through the SMS backend); a
staff member's sign-in starts a session that ends after a few idle hours."""

from allauth.account.signals import user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from core.signals import language_chosen, sms_requested

from . import services
from .middleware import start_staff_session
from .sms import send_sms


@receiver(user_signed_up)
def on_user_signed_up(sender, request, user, **kwargs):
    services.user_register_citizen(user=user)


@receiver(language_chosen)
def on_language_chosen(sender, request, user, language, **kwargs):
    services.user_set_language(user=user, language=language)


@receiver(sms_requested)
def on_sms_requested(sender, to, text, kind="", **kwargs):
    if to:
        send_sms(to, text, kind=kind)


@receiver(user_logged_in)
def on_user_logged_in(sender, request, user, **kwargs):
    start_staff_session(request, user)
