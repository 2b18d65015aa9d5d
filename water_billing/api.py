"""Water REST endpoints (in the OpenAPI schema). Readers' batch of readings:
`POST /api/water/readings/` — each item through the same service function as the phone
page and the handheld's file (services.readings.reading_submit), with its own result. The
signed-in citizen's connections, `GET /api/water/connections/`, and a connection's bills,
`GET /api/water/connections/<consumer_no>/bills/`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import perm

from .models import Connection, Reading, WaterBill, WaterBillLine
from .numbers import normalize_consumer_no
from .readings_import import ERROR, FLAGGED, HELD, REPEATED, SAVED, submit

MAX_BATCH = 500
#: Who may read any connection's bills (as the bill PDF): water, counter and revenue staff.
BILL_STAFF_PERMISSIONS = (perm("manage_water"), perm("use_counter"), perm("view_revenue_reports"))


class RecordsReadings(BasePermission):
    """Meter readers and the water officer."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (
                user.has_perm(perm("record_meter_readings")) or user.has_perm(perm("manage_water"))
            )
        )


class ReadingItemSerializer(serializers.Serializer[Any]):
    # Strings, so Bengali digits and "১২,৩৪৫" reach the service, which checks them.
    consumer_no = serializers.CharField(max_length=30, help_text="Such as 07-00123.")
    reading = serializers.CharField(
        max_length=20,
        help_text="What the meter shows, whole cubic metres (Bengali digits accepted).",
    )
    read_on = serializers.CharField(
        max_length=12, help_text="YYYY-MM-DD; the billing month is its month."
    )
    meter_serial = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="Checked against the meter in place.",
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ReadingBatchSerializer(serializers.Serializer[Any]):
    readings = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=MAX_BATCH
    )


class ReadingBatchRequestSerializer(serializers.Serializer[Any]):
    """The documented shape of the request (items checked one by one, see the view)."""

    readings = ReadingItemSerializer(many=True)


class ReadingResultSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField(help_text="The item's place in the batch, from 0.")
    consumer_no = serializers.CharField()
    result = serializers.ChoiceField(choices=[SAVED, HELD, FLAGGED, REPEATED, ERROR])
    message = serializers.CharField(help_text="In the caller's language.")
    errors = serializers.DictField(  # type: ignore[assignment]  # a field, not .errors
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Per field; "" for the item as a whole.',
    )
    status = serializers.ChoiceField(choices=Reading.Status.choices, allow_null=True)
    period = serializers.DateField(allow_null=True)
    consumption = serializers.IntegerField(allow_null=True)


class ReadingBatchResultSerializer(serializers.Serializer[Any]):
    saved = serializers.IntegerField(help_text="Stored now (ok, held or flagged).")
    repeated = serializers.IntegerField(
        help_text="Sent before: already recorded, not stored again."
    )
    errors = serializers.IntegerField()  # type: ignore[assignment]  # a field, not .errors
    results = ReadingResultSerializer(many=True)


class ReadingBatchView(APIView):
    """A meter reader's batch of readings (at most 500). Every item gets its own result,
    in the order sent: `saved`, `held` (lower than the last reading: the water officer
    reviews it), `flagged` (spike or zero use), `repeated` (the same reading sent again: not
    recorded twice) or `error` with the messages. One bad item never stops the others."""

    permission_classes = [RecordsReadings]

    @extend_schema(
        request=ReadingBatchRequestSerializer,
        responses={200: ReadingBatchResultSerializer},
        examples=[
            OpenApiExample(
                "Two readings",
                value={
                    "readings": [
                        {"consumer_no": "07-00123", "reading": "1,018", "read_on": "2026-12-05"},
                        {"consumer_no": "০৭-০০১২৪", "reading": "৫৫২", "read_on": "2026-12-05"},
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        batch = ReadingBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        results = []
        for index, raw in enumerate(batch.validated_data["readings"]):
            item = ReadingItemSerializer(data=raw)
            if not item.is_valid():
                errors = {
                    name: [str(m) for m in messages] for name, messages in item.errors.items()
                }
                results.append(
                    {
                        "index": index,
                        "consumer_no": str(raw.get("consumer_no", ""))[:30],
                        "result": ERROR,
                        "message": " ".join(m for ms in errors.values() for m in ms),
                        "errors": errors,
                        "status": None,
                        "period": None,
                        "consumption": None,
                    }
                )
                continue
            done = submit(
                index, item.validated_data, source=Reading.Source.HANDHELD, user=request.user
            )
            reading = done.reading
            results.append(
                {
                    "index": index,
                    "consumer_no": done.consumer_no,
                    "result": done.outcome,
                    "message": done.message,
                    "errors": done.errors,
                    "status": reading.status if reading else None,
                    "period": reading.period if reading else None,
                    "consumption": reading.consumption if reading else None,
                }
            )
        body = {
            "saved": sum(1 for r in results if r["result"] in (SAVED, HELD, FLAGGED)),
            "repeated": sum(1 for r in results if r["result"] == REPEATED),
            "errors": sum(1 for r in results if r["result"] == ERROR),
            "results": results,
        }
        return Response(ReadingBatchResultSerializer(body).data)


# --- the signed-in citizen's connections and their bills (GET) ---------------------------------


class ConnectionSerializer(serializers.ModelSerializer[Connection]):
    ward = serializers.IntegerField(source="ward.number")
    unpaid_months = serializers.IntegerField(help_text="Months billed and not paid.")
    owed = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="What the unpaid months add up to (taka)."
    )
    next_due_date = serializers.DateField(
        allow_null=True, help_text="The earliest due date of the unpaid months."
    )
    last_billed_month = serializers.DateField(allow_null=True)

    class Meta:
        model = Connection
        fields = [
            "consumer_no",
            "ward",
            "holding_number",
            "name_bn",
            "name_en",
            "address",
            "category",
            "pipe_diameter_mm",
            "metered",
            "sewerage",
            "status",
            "unpaid_months",
            "owed",
            "next_due_date",
            "last_billed_month",
        ]


class WaterBillLineSerializer(serializers.ModelSerializer[WaterBillLine]):
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = WaterBillLine
        fields = ["kind", "head", "for_period", "amount", "explanation"]

    def get_explanation(self, line: WaterBillLine) -> str:
        """How the line was made, in the caller's language."""
        return str(line.explanation_text)


class WaterBillSerializer(serializers.ModelSerializer[WaterBill]):
    month = serializers.DateField(source="period", help_text="The billing month's first day.")
    pdf = serializers.SerializerMethodField(help_text="The bill as PDF.")
    verify_code = serializers.CharField(help_text="Printed under the bill's QR code.")
    lines = WaterBillLineSerializer(many=True, read_only=True)

    class Meta:
        model = WaterBill
        fields = [
            "month",
            "units",
            "estimated",
            "bill_date",
            "due_date",
            "charges",
            "late_fee",
            "total",
            "arrears",
            "status",
            "verify_code",
            "pdf",
            "lines",
        ]

    def get_pdf(self, bill: WaterBill) -> str:
        return reverse("water_billing:bill_pdf", args=[bill.pk])


class ConnectionListView(generics.ListAPIView[Connection]):
    """The signed-in citizen's water connections (linked to the account), each with what is
    unpaid on it."""

    serializer_class = ConnectionSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Connection.objects.none()
        due = Q(bills__status=WaterBill.Status.DUE, bills__total__gt=0)
        return (
            Connection.objects.filter(user=self.request.user.pk)
            .select_related("ward")
            .annotate(
                unpaid_months=Count("bills", filter=due),
                owed=Coalesce(Sum("bills__total", filter=due), Value(Decimal("0.00"))),
                next_due_date=Min("bills__due_date", filter=due),
                last_billed_month=Max("bills__period"),
            )
            .order_by("consumer_no")
        )


class ConnectionBillsView(generics.ListAPIView[WaterBill]):
    """A connection's monthly bills, newest first: the connection's account holder (and
    water, counter and revenue staff). Any other connection, or an unknown consumer number,
    is 404."""

    serializer_class = WaterBillSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return WaterBill.objects.none()
        user = self.request.user
        try:
            number = normalize_consumer_no(self.kwargs["consumer_no"])
        except ValidationError:
            raise NotFound from None
        connections = Connection.objects.filter(consumer_no=number)
        if not any(user.has_perm(p) for p in BILL_STAFF_PERMISSIONS):
            connections = connections.filter(user=user.pk)
        connection = connections.first()
        if connection is None:
            raise NotFound
        return (
            WaterBill.objects.filter(connection=connection)
            .prefetch_related("lines")
            .order_by("-period")
        )
