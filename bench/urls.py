"""The portal's URLs plus the baselines: a bare view doing one row update, a bare signed-in
view, and a bare DRF view answering a batch of RFID scans from a Python dict."""

import threading

from django.db.models import F
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView

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


class BareScans(APIView):
    """The baseline of bench/rfid_scans.py: the same JSON batch in and the same answer out
    through DRF, from a dict of every card's answer loaded once per process — no
    authentication, no database, nothing stored."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    _answers: dict | None = None
    _lock = threading.Lock()

    @classmethod
    def answers(cls) -> dict:
        with cls._lock:
            if cls._answers is None:
                from ezbike.models import CardLookup

                cls._answers = {
                    uid: {"status": status, "plate": plate, "vehicle_type": kind, "ward": ward}
                    for uid, status, plate, kind, ward in CardLookup.objects.values_list(
                        "uid", "status", "plate", "vehicle_type", "ward"
                    ).iterator(chunk_size=10000)
                }
            return cls._answers

    def post(self, request):
        answers = self.answers()
        unknown = {"status": "unknown", "plate": "", "vehicle_type": "", "ward": None}
        reads = request.data["reads"]
        results = [{"uid": r["uid"], **answers.get(r["uid"], unknown)} for r in reads]
        return Response({"accepted": len(reads), "duplicates": 0, "results": results})


urlpatterns = [
    path("bench/bare/", bare_update),
    path("bench/scans-bare/", BareScans.as_view()),
    path("bench/signed-in/", signed_in),
    *portal_urlpatterns,
]
