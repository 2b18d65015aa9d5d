"""REST endpoints for the caller's own account."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
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
            {"id": user.pk, "mobile": user.mobile, "name_bn": user.name_bn,
             "name_en": user.name_en, "email": user.email, "ward": user.ward,
             "roles": user.roles()}
        ).data
        return Response(data)

