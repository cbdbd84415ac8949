from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend import account_views, api, job_views, ranges, views

api_v1 = [
    path("", api.ApiRootView.as_view(), name="api-root"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("jobs/<uuid:pk>", job_views.JobApiView.as_view(), name="api-job"),
    path("jobs/<uuid:pk>/retry", job_views.JobRetryApiView.as_view(), name="api-job-retry"),
    path("", include("geo.api_urls")),
    path("", include("tracing.api_urls")),
    path("", include("marketplace.api_urls")),
    path("", include("oversight.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Before the other apps: the scan page (printed in every QR code) is the busiest path. The
    # apps' paths do not overlap, so their order only decides how soon a path is found.
    path("", include("tracing.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jobs/<uuid:pk>/", job_views.job_detail, name="job-detail"),
    path("jobs/<uuid:pk>/download", job_views.job_download, name="job-download"),
    path("jobs/<uuid:pk>/retry", job_views.job_retry_view, name="job-retry"),
    # Ours before Django's (same paths and names): limited, and the emails sent by the worker.
    path("accounts/signup/", account_views.signup, name="signup"),
    path("accounts/email/confirm/<str:token>/", account_views.email_confirm, name="email-confirm"),
    path("accounts/login/", account_views.login_view, name="login"),
    path("accounts/password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("geo.urls")),
    path("", include("marketplace.urls")),
    path("", include("oversight.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), as our Content-Security-Policy needs.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="backend/swagger_ui.html"),
        name="api-docs",
    ),
    # A compressed GS1 Digital Link (one segment that decompresses as one; anything else falls through).
    path("", include("tracing.resolver_urls")),
    re_path(r"^api/", views.api_not_found),
]

if settings.SERVE_MEDIA:  # with byte ranges, which Safari needs to play audio (backend/ranges.py)
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", ranges.serve_media)]

handler400 = "backend.views.error_400"
handler403 = "backend.views.error_403"
handler404 = "backend.views.error_404"
handler500 = "backend.views.error_500"
