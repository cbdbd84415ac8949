"""`manage.py worker`: run background tasks (backend/worker.py), surviving database outages, with a heartbeat."""

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import (
    Command as DatabaseWorkerCommand,
)
from django_tasks_db.management.commands.db_worker import (
    valid_backend_name,
    valid_interval,
    valid_max_tasks,
    validate_worker_id,
)

from backend.worker import Worker


class Command(BaseCommand):
    help = "Run the background worker: takes queued tasks, reconnects after database outages, beats a heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default=DEFAULT_TASK_QUEUE_NAME, help="Queues, comma-separated; '*': all.")
        parser.add_argument("--interval", default=1, type=valid_interval, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true", help="Run the tasks queued now, then exit.")
        parser.add_argument("--max-tasks", type=valid_max_tasks, default=None, help="Exit after this many tasks.")
        parser.add_argument("--no-startup-delay", action="store_false", dest="startup_delay")
        parser.add_argument(
            "--backend", default=DEFAULT_TASK_BACKEND_ALIAS, type=valid_backend_name, dest="backend_name"
        )
        parser.add_argument("--worker-id", type=validate_worker_id, default=None, help="Unique id (default: random).")

    def handle(self, *, verbosity, queue_name, interval, batch, max_tasks, startup_delay, backend_name, worker_id, **_):
        DatabaseWorkerCommand.configure_logging(self, verbosity)
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
