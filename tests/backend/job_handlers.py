"""Handlers the job tests enqueue: run by the real worker (`manage.py worker`)."""

from django.core.files.base import ContentFile

from backend.jobs import job_handler


def count_to(job, progress, *, n: int):
    for i in range(1, n + 1):
        progress(i, n, message=f"counted {i}")
    job.result = {"counted": n}
    job.result_file.save("count.txt", ContentFile(("\n".join(str(i) for i in range(1, n + 1))).encode()), save=False)


@job_handler(attempts=2)
def count_again(job, progress, *, n: int):
    """Like count_to, declared safe to run again from the start."""
    count_to(job, progress, n=n)


def explode(job, progress):
    progress(1, 4)
    raise ValueError("the label printer is out of paper")
