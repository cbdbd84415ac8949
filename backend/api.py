from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from backend.roles import user_roles
from backend.throttling import ScopedRateLimitThrottle


class ApiRootView(APIView):
    """The entry point: links to the main collections and the schema."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot", fields={"schema": serializers.URLField(), "docs": serializers.URLField()}
        )
    )
    def get(self, request):
        return Response(
            {
                "schema": reverse("api-schema", request=request),
                "docs": reverse("api-docs", request=request),
                "me": reverse("api-me", request=request),
            }
        )


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.CharField())
    language = serializers.CharField()


class MeView(APIView):
    """The signed-in user and their roles."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        data = {
            "username": request.user.username,
            "email": request.user.email,
            "roles": sorted(user_roles(request.user)),
            "language": get_language(),
        }
        return Response(MeSerializer(data).data)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (Authorization: Token <key>)."""

    throttle_classes = [ScopedRateLimitThrottle]
    throttle_scope = "auth"
