"""The progress page, API and download of background jobs: visible to their owner and to officials."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import RetrieveAPIView

from backend.models import Job
from backend.roles import ADMINISTRATOR, OFFICIAL, user_has_role


def jobs_visible_to(user):
    if user_has_role(user, OFFICIAL, ADMINISTRATOR):
        return Job.objects.all()
    return Job.objects.filter(owner=user)


@login_required
def job_detail(request, pk):
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    return render(request, "backend/job.html", {"job": job})


@login_required
def job_download(request, pk):
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    if job.status != Job.Status.SUCCEEDED or not job.result_file:
        raise Http404
    return FileResponse(
        job.result_file.open("rb"), as_attachment=True, filename=job.result_file.name.rsplit("/", 1)[-1]
    )


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

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
            "download_url",
        ]

    def get_download_url(self, job) -> str | None:
        if job.status != Job.Status.SUCCEEDED or not job.result_file:
            return None
        return self.context["request"].build_absolute_uri(f"/jobs/{job.pk}/download")


@extend_schema(summary="Progress of a background job")
class JobApiView(RetrieveAPIView):
    serializer_class = JobSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return jobs_visible_to(self.request.user)
