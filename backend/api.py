from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from backend import login_limits, parsers, tokens
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


class TokenOut(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(help_text="After this the token is refused (401, code token_expired).")


class LoginThrottled(exceptions.Throttled):
    """429 for a sign-in refused by backend/login_limits.py, with its own message (and Retry-After)."""

    def __init__(self, wait: int):
        exceptions.APIException.__init__(self, login_limits.refusal_message(wait), code="throttled")
        self.wait = wait


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (Authorization: Token <key>).

    The token lasts API_TOKEN_TTL_DAYS days (its expiry is in the answer); asking again returns the
    same token until then, and a new one afterwards. Failed attempts are limited per account and
    per client (backend/login_limits.py) besides the "auth" rate of every request.
    """

    throttle_classes = [ScopedRateLimitThrottle]
    throttle_scope = "auth"
    parser_classes = parsers.DEFAULT_PARSER_CLASSES  # ObtainAuthToken names DRF's own

    # The credentials are in the body: an old, expired token in the headers must not stop its renewal.
    authentication_classes = []

    @extend_schema(request=AuthTokenSerializer, responses={status.HTTP_200_OK: TokenOut})
    def post(self, request, *args, **kwargs):
        data = request.data if hasattr(request.data, "get") else {}  # a JSON list is the serializer's to refuse
        username, password = data.get("username"), data.get("password")
        attempt = None
        if isinstance(username, str) and username and isinstance(password, str) and password:
            attempt = login_limits.login_attempt(request, username)
            wait = attempt.wait()
            if wait is not None:
                raise LoginThrottled(wait)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if attempt is not None:
                attempt.failed()
            raise exceptions.ValidationError(serializer.errors)
        token = tokens.token_for(serializer.validated_data["user"])
        return Response(TokenOut({"token": token.key, "expires_at": tokens.expires_at(token)}).data)
