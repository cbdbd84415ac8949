"""The progress page, API and download of background jobs: visible to their owner and to officials.

Job outputs (print files, reports, exports) are in private storage: the download view here is the
only way to them. A failed job of a handler safe to repeat can be started again from its page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend import health
from backend.jobs import job_can_retry, job_retry, jobs_visible_to
from backend.models import Job


@login_required
def job_detail(request, pk):
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    worker = None if job.is_finished else health.worker_status()
    return render(
        request,
        "backend/job.html",
        {"job": job, "can_retry": job_can_retry(job, request.user), "worker": worker},
    )


@login_required
@require_POST
def job_retry_view(request, pk):
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    try:
        job_retry(by=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The job starts again from the beginning."))
    return redirect("job-detail", pk=job.pk)


@login_required
def job_download(request, pk):
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    if job.status != Job.Status.SUCCEEDED or not job.result_file:
        raise Http404
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=job.result_file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


class JobSerializer(serializers.ModelSerializer):
    """A job as its viewer reads it: title, message and error in the request's language."""

    title = serializers.CharField(source="display_title", read_only=True)
    message = serializers.CharField(source="display_message", read_only=True)
    error = serializers.CharField(source="display_error", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()
    can_retry = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "title",
            "status",
            "done",
            "total",
            "percent",
            "message",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
            "download_url",
            "can_retry",
        ]

    def get_download_url(self, job) -> str | None:
        if job.status != Job.Status.SUCCEEDED or not job.result_file:
            return None
        return self.context["request"].build_absolute_uri(f"/jobs/{job.pk}/download")

    def get_can_retry(self, job) -> bool:
        return job_can_retry(job, self.context["request"].user)


@extend_schema(summary="Progress of a background job")
class JobApiView(RetrieveAPIView):
    serializer_class = JobSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return jobs_visible_to(self.request.user)


@extend_schema(
    summary="Run a failed background job again",
    description="From the beginning; for its owner or an official, and only for jobs safe to repeat (400 otherwise).",
    request=None,
    responses=JobSerializer,
)
class JobRetryApiView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk):
        job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
        try:
            job = job_retry(by=request.user, job=job)
        except ValidationError as exc:
            raise serializers.ValidationError({"status": exc.messages}) from None
        return Response(JobSerializer(job, context={"request": request}).data)
