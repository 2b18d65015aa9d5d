"""Celery tasks for trade licences: thin wrappers that take ids."""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def render_certificate_pdf(licence_id: int) -> str:
    """Render and store a licence's certificate PDF; returns the stored file name."""
    from .certificates import certificate_store_pdf
    from .models import Licence

    return certificate_store_pdf(Licence.objects.get(pk=licence_id))


@shared_task
def refresh_late_renewal_bills() -> int:
    """Daily: late renewal bills follow the month's surcharge."""
    from .services import refresh_late_renewal_bills as refresh

    return refresh()
