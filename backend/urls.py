from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path, register_converter
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend import api, job_views, views
from tracing import resolver_views

register_converter(resolver_views.CompressedLinkConverter, "gs1compressed")

api_v1 = [
    path("", api.ApiRootView.as_view(), name="api-root"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("jobs/<uuid:pk>", job_views.JobApiView.as_view(), name="api-job"),
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
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("geo.urls")),
    path("", include("marketplace.urls")),
    path("", include("oversight.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # A compressed GS1 Digital Link (one segment that decompresses as one; anything else falls through).
    path("<gs1compressed:segment>", resolver_views.compressed_view, name="gs1-compressed"),
    re_path(r"^api/", views.error_404),
]

if settings.SERVE_MEDIA:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

handler400 = "backend.views.error_400"
handler403 = "backend.views.error_403"
handler404 = "backend.views.error_404"
handler500 = "backend.views.error_500"
