"""Market shops' REST endpoint (in the OpenAPI schema): `GET /api/shops/` — the signed-in
lessee's shops (allotments waiting for payment or active, as "my shops" lists them), each
with its unpaid rent (and what it comes to today with surcharges) and its open bills."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from payments.models import Bill

from .dues import allotments_of
from .models import Allotment, RentMonth
from .services.billing import SERVICE, owed


class OpenBillSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    kind = serializers.CharField(help_text="allotment (salami and deposit), rent or transfer")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_date = serializers.DateField()


class ShopSerializer(serializers.Serializer[Any]):
    allotment = serializers.IntegerField()
    shop = serializers.CharField(help_text="The shop's number, such as A-12.")
    market = serializers.CharField()
    ward = serializers.IntegerField()
    floor = serializers.IntegerField(help_text="0 is the ground floor.")
    area_sqft = serializers.DecimalField(max_digits=9, decimal_places=2)
    status = serializers.CharField(help_text="pending_payment or active")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    unpaid_months = serializers.ListField(child=serializers.CharField(), help_text="YYYY-MM")
    rent_unpaid = serializers.DecimalField(max_digits=14, decimal_places=2)
    owed_today = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="The unpaid rent with surcharges today."
    )
    next_due_date = serializers.DateField(allow_null=True)
    open_bills = OpenBillSerializer(many=True)
    url = serializers.CharField(help_text="The shop's page (rent statement, paying).")


class ShopListView(APIView):
    """The signed-in lessee's shops with their unpaid rent and open bills."""

    @extend_schema(responses=ShopSerializer(many=True))
    def get(self, request: Request) -> Response:
        from django.urls import reverse

        today = timezone.localdate()
        allotments = list(
            allotments_of(request.user)
            .filter(status__in=Allotment.OCCUPYING)
            .select_related("shop__market__ward")
        )
        months: dict[int, list[RentMonth]] = {a.pk: [] for a in allotments}
        for m in RentMonth.objects.filter(
            allotment__in=allotments, status=RentMonth.Status.DUE, rent__gt=0
        ).order_by("period"):
            months[m.allotment_id].append(m)
        bills: dict[int, list[Bill]] = {a.pk: [] for a in allotments}
        for bill in Bill.objects.filter(
            service=SERVICE,
            subject_type__in=["allotment", "rent"],
            subject_id__in=[str(a.pk) for a in allotments],
            status=Bill.Status.OPEN,
        ).order_by("pk"):
            bills[int(bill.subject_id)].append(bill)
        rows = []
        for a in allotments:
            unpaid = months[a.pk]
            rows.append(
                {
                    "allotment": a.pk,
                    "shop": a.shop.number,
                    "market": a.shop.market.name_en or a.shop.market.name_bn,
                    "ward": a.shop.market.ward.number,
                    "floor": a.shop.floor,
                    "area_sqft": a.shop.area_sqft,
                    "status": a.status,
                    "starts_on": a.starts_on,
                    "ends_on": a.ends_on,
                    "unpaid_months": [m.month for m in unpaid],
                    "rent_unpaid": sum((m.rent for m in unpaid), Decimal("0.00")),
                    "owed_today": owed(unpaid, today),
                    "next_due_date": min((m.due_date for m in unpaid), default=None),
                    "open_bills": [
                        {
                            "number": b.number,
                            "kind": b.subject_type,
                            "total": b.total,
                            "due_date": b.due_date,
                        }
                        for b in bills[a.pk]
                    ],
                    "url": reverse("market_leases:shop", args=[a.pk]),
                }
            )
        return Response(ShopSerializer(rows, many=True).data)
