"""Rate-limit counters: one row per key that rolls from window to window (backend/throttling.py).

The row keeps the count of its current window and of the window before it, so that counting a
request is a single `INSERT … ON CONFLICT (key) DO UPDATE`: PostgreSQL finds the row through the
primary key's index whatever its statistics say. The earlier shape (a row per key and window) needed
a join to read the previous window's row, and a generic plan made while the table was nearly empty
(after a quiet night's pruning and vacuum) read it with a sequential scan of the whole table.

The table is recreated: its counts are short-lived by design (UNLOGGED: PostgreSQL empties it after
a crash too), so a deploy only forgets the current windows. `lim`, `seen_at` and `refused` describe
the key's last request (the limit it was judged against, when, and whether it was refused): the
conflict arm reads the request's limit and time from them.
"""

from django.db import migrations

OLD = """
CREATE UNLOGGED TABLE backend_rate_counter (
    key varchar(120) NOT NULL,
    window_start bigint NOT NULL,
    expires_at bigint NOT NULL,
    hits integer NOT NULL,
    PRIMARY KEY (key, window_start)
) WITH (fillfactor = 70)
"""

NEW = """
CREATE UNLOGGED TABLE backend_rate_counter (
    key varchar(120) PRIMARY KEY,
    window_s integer NOT NULL,
    window_start bigint NOT NULL,
    expires_at bigint NOT NULL,
    hits integer NOT NULL,
    prev_hits integer NOT NULL,
    lim integer NOT NULL,
    seen_at double precision NOT NULL,
    refused boolean NOT NULL
) WITH (fillfactor = 70)
"""

INDEX = "CREATE INDEX backend_rate_counter_expiry_idx ON backend_rate_counter (expires_at)"


class Migration(migrations.Migration):
    dependencies = [("backend", "0003_rate_counters")]

    operations = [
        migrations.RunSQL(
            # fillfactor leaves room in each page so that counting within a window stays a HOT update.
            sql=["DROP TABLE backend_rate_counter", NEW, INDEX],
            reverse_sql=["DROP TABLE backend_rate_counter", OLD, INDEX],
        )
    ]
