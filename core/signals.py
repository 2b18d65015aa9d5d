"""Signals core sends so that apps above it can react without core importing them."""

from django.dispatch import Signal

# Sent by the language switch when a signed-in user chooses a language, with
# `request`, `user` and `language`. accounts saves it as the user's preferred language.
language_chosen = Signal()

# Sent by an app that may not import accounts (payments) when a text message should go
# out now, with `to` (a mobile number), `text` (already in the reader's language) and
# `kind` (the outbox's label). accounts sends it through its SMS backend.
sms_requested = Signal()
