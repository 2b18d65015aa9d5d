"""The portal's URLs plus the baseline: a bare view doing one row update."""

from django.db.models import F
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from kcc_portal.urls import urlpatterns as portal_urlpatterns


@csrf_exempt
def bare_update(request):
    from payments.models import ReceiptCounter

    ReceiptCounter.objects.filter(fiscal_year="bench").update(last=F("last") + 1)
    return HttpResponse("ok", content_type="text/plain")


def signed_in(request):
    """The baseline of bench/pages.py: the whole middleware stack with a signed-in
    session, and nothing else."""
    return HttpResponse(str(request.user.pk), content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare_update),
    path("bench/signed-in/", signed_in),
    *portal_urlpatterns,
]
