"""API rate-limit counters (backend/throttling.py): one UNLOGGED table shared by every process.

UNLOGGED: the counters are not written to the WAL (cheap, and not replicated); after a crash
PostgreSQL empties the table, which only forgets the current windows' counts. Times are Unix
seconds: `window_start` of the fixed window, `expires_at` when the row stops mattering (the end of
the window after it, whose sliding estimate still reads it). No Django model: only
backend.throttling reads and writes it, with one `INSERT … ON CONFLICT … RETURNING` per request.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("backend", "0002_job")]

    operations = [
        migrations.RunSQL(
            sql=[
                # fillfactor leaves room in each page so that `hits = hits + 1` stays a HOT update.
                """
                CREATE UNLOGGED TABLE backend_rate_counter (
                    key varchar(120) NOT NULL,
                    window_start bigint NOT NULL,
                    expires_at bigint NOT NULL,
                    hits integer NOT NULL,
                    PRIMARY KEY (key, window_start)
                ) WITH (fillfactor = 70)
                """,
                "CREATE INDEX backend_rate_counter_expiry_idx ON backend_rate_counter (expires_at)",
            ],
            reverse_sql=["DROP TABLE backend_rate_counter"],
        )
    ]
