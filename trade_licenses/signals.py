"""Signals of trade licences: a newly issued licence gets its certificate PDF rendered by
the worker once the issuing transaction has committed (services.licence_issue)."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Licence


def _enqueue(licence_id: int) -> None:
    from .tasks import render_certificate_pdf

    render_certificate_pdf.delay(licence_id)


@receiver(post_save, sender=Licence, dispatch_uid="trade_licenses.licence_certificate")
def licence_saved(sender, instance: Licence, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        transaction.on_commit(partial(_enqueue, instance.pk), robust=True)
