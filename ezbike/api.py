"""E-bike REST endpoints (in the OpenAPI schema).

- `POST /api/ezbike/scans/` — a registered reader's batch of card reads (at most 500),
  signed with its scan-only token (`Authorization: Device <token>`). The token opens this
  endpoint only: ScanDeviceAuthentication is set on this view alone, so every other
  endpoint and page treats its bearer as a stranger.
- `GET /api/ezbike/plates/<plate>/` — traffic staff (and e-bike officers) check a plate,
  signed in or with their DRF token; the same status answer.

The scan endpoint is the fast one: no throttle round trip (the devices are registered and
revocable), the batch checked in plain Python, one SELECT for the statuses, one INSERT for
the sightings, the device's last contact written at most once a minute
(ezbike/services/scans.py).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import perm

from .models import ScanDevice
from .numbers import normalize_plate
from .services import BatchRefused, active_device, plate_status, scan_batch, token_hash
from .services.scans import MAX_READS, STATUSES

KEYWORD = b"device"


class DeviceIdentity:
    """Who a scan request comes from: a device, never a user (it holds no permission)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None

    def __init__(self, device: ScanDevice):
        self.device = device

    def has_perm(self, *_args: Any, **_kwargs: Any) -> bool:
        return False

    def __str__(self) -> str:
        return f"device:{self.device.pk}"


class ScanDeviceAuthentication(BaseAuthentication):
    """`Authorization: Device <token>` of an active scan device (only its hash is kept).
    Used by the scan endpoint alone."""

    def authenticate(self, request: Request) -> tuple[DeviceIdentity, ScanDevice] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the device token after “Device”."))
        try:
            token = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid device token.")) from None
        device = active_device(token_hash(token))
        if device is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked device token."))
        return DeviceIdentity(device), device

    def authenticate_header(self, request: Request) -> str:
        return "Device"


class ScanDeviceScheme(OpenApiAuthenticationExtension):  # type: ignore[misc]
    target_class = "ezbike.api.ScanDeviceAuthentication"
    name = "scanDevice"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A scan device\'s token: "Device <token>" (scan-only).',
        }


class IsScanDevice(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.auth, ScanDevice)


class ChecksPlates(BasePermission):
    """Traffic staff and e-bike officers."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and not isinstance(user, DeviceIdentity)
            and (user.has_perm(perm("check_ebike_plates")) or user.has_perm(perm("manage_ebikes")))
        )


class ReadSerializer(serializers.Serializer[Any]):
    uid = serializers.CharField(help_text="The card's UID in hex, 8 to 20 digits (04A21B3C).")
    read_at = serializers.DateTimeField(help_text="ISO 8601; not in the future.")
    seq = serializers.IntegerField(
        min_value=0, help_text="The device's own sequence number: a read is counted once."
    )


class ScanBatchSerializer(serializers.Serializer[Any]):
    reads = ReadSerializer(many=True, max_length=MAX_READS)  # type: ignore[call-arg]


class StatusSerializer(serializers.Serializer[Any]):
    uid = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUSES)
    plate = serializers.CharField(help_text='"" when the card is unknown.')
    vehicle_type = serializers.CharField(help_text='"passenger", "goods" or "".')
    ward = serializers.IntegerField(allow_null=True)


class ScanResultSerializer(serializers.Serializer[Any]):
    accepted = serializers.IntegerField(help_text="Reads stored now.")
    duplicates = serializers.IntegerField(help_text="Reads sent before (same device and seq).")
    results = StatusSerializer(many=True)


class ItemErrorSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    uid = serializers.CharField()
    errors = serializers.DictField(  # type: ignore[assignment]  # a field, not .errors
        child=serializers.ListField(child=serializers.CharField())
    )


class BatchErrorSerializer(serializers.Serializer[Any]):
    reads = serializers.ListField(child=serializers.CharField())
    items = ItemErrorSerializer(many=True, required=False)


class ScanBatchView(APIView):
    """A reader's batch of card reads, each answered in the order sent: `valid`, `expired`,
    `suspended`, `blacklisted` or `unknown`, with the plate, vehicle type and ward (never
    personal data). Every read is stored as a sighting; a batch sent again counts nothing
    twice (`duplicates`); one malformed read refuses the whole batch (400, per-item
    errors) and nothing is stored."""

    authentication_classes = [ScanDeviceAuthentication]
    permission_classes = [IsScanDevice]
    throttle_classes: list[Any] = []

    @extend_schema(
        request=ScanBatchSerializer,
        responses={200: ScanResultSerializer, 400: BatchErrorSerializer},
        examples=[
            OpenApiExample(
                "Two reads",
                value={
                    "reads": [
                        {"uid": "04A21B3C", "read_at": "2026-12-05T14:03:21+06:00", "seq": 17},
                        {
                            "uid": "04A21B3D5E6F70",
                            "read_at": "2026-12-05T14:03:24+06:00",
                            "seq": 18,
                        },
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        try:
            body = scan_batch(device=request.auth, data=request.data)  # type: ignore[arg-type]
        except BatchRefused as refused:
            return Response(refused.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(body)


class PlateView(APIView):
    """Traffic staff check a plate (Latin or Bengali form): the same status answer as a
    reader's, with the UID of the card in use ("" for none)."""

    permission_classes = [ChecksPlates]

    @extend_schema(responses={200: StatusSerializer})
    def get(self, request: Request, plate: str) -> Response:
        try:
            number = normalize_plate(plate)
        except ValidationError as e:
            raise exceptions.NotFound(e.messages[0]) from None
        answer = plate_status(number)
        if answer is None:
            raise exceptions.NotFound(_("No e-bike has this plate number."))
        return Response(answer)
