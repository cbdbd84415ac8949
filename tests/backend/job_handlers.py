"""Handlers the job tests enqueue: run by the real worker (`manage.py db_worker`)."""

from django.core.files.base import ContentFile


def count_to(job, progress, *, n: int):
    for i in range(1, n + 1):
        progress(i, n, message=f"counted {i}")
    job.result = {"counted": n}
    job.result_file.save("count.txt", ContentFile(("\n".join(str(i) for i in range(1, n + 1))).encode()), save=False)


def explode(job, progress):
    progress(1, 4)
    raise ValueError("the label printer is out of paper")
