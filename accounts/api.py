"""REST endpoints for the caller's own account; the API schema and docs, for staff."""

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mobile = serializers.CharField()
    name_bn = serializers.CharField()
    name_en = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    ward = serializers.IntegerField(source="ward.number", allow_null=True, default=None)
    roles = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    """Who am I: the signed-in user's profile and roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = MeSerializer(
            {
                "id": user.pk,
                "mobile": user.mobile,
                "name_bn": user.name_bn,
                "name_en": user.name_en,
                "email": user.email,
                "ward": user.ward,
                "roles": user.roles(),
            }
        ).data
        return Response(data)


def is_staff_user(user) -> bool:
    """Staff: administrators and every member of a staff role."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm("accounts.view_staff_dashboard"))
    )


class IsStaffUser(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_staff_user(request.user)


class StaffSchemaView(SpectacularAPIView):
    """GET /api/schema/ (OpenAPI 3): staff only (session or token)."""

    permission_classes = [IsStaffUser]


class StaffSwaggerView(SpectacularSwaggerSplitView):
    """GET /api/docs/: staff only; a signed-out browser goes to the sign-in page. The page
    loads its start-up script from this same URL (?script=), so it runs under the CSP."""

    permission_classes = [IsStaffUser]

    def permission_denied(self, request, message=None, code=None):
        if not request.user.is_authenticated and not request.auth:
            raise _SignInFirst(redirect_to_login(request.get_full_path()))
        super().permission_denied(request, message=message, code=code)

    def handle_exception(self, exc):
        if isinstance(exc, _SignInFirst):
            return exc.response
        return super().handle_exception(exc)


class _SignInFirst(Exception):  # noqa: N818 - carries a response, not an error
    def __init__(self, response):
        super().__init__()
        self.response = response
