"""Signals core sends so that apps above it can react without core importing them."""

from django.dispatch import Signal

# Sent by the language switch when a signed-in user chooses a language, with
# `request`, `user` and `language`. accounts saves it as the user's preferred language.
language_chosen = Signal()
