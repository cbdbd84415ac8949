"""The statements of a scan: a stamp's facts read in one statement, and an anonymous web scan recorded in the same one.

The verdict a scan with no location gets is written here in SQL as well as in Python (scans.scan_record,
tracing/stamps/clone_rules.py), so that an anonymous scan costs one statement."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.db import connection

from backend import prepared
from tracing.digital_link import DigitalLinkPath
from tracing.models import Batch, Scan, Stamp, SuspicionFlag
from tracing.models.stamps import StampStatus
from tracing.stamps import clone_rules
from tracing.stamps.devices import device_family

Verdict = Scan.Verdict

#: The stamp's own columns read by scan_record (the rest, e.g. the PIN hash, load only if asked for).
_STAMP_COLUMNS = (
    "id",
    "serial",
    "run_id",
    "number",
    "status",
    "batch_id",
    "activated_at",
    "sold_at",
    "sold_via",
    "revoked_at",
    "revoke_reason",
    "confirmed_at",
    "confirmed_place",
    "confirmed_province_id",
    "copy_confirmed_at",
)


_COUNTED = clone_rules.COUNTED_SQL
_IN_CIRCULATION_SINCE = clone_rules.IN_CIRCULATION_SINCE_SQL


def _version(alias: str) -> str:
    """A row's identity and version as text: (id, xmin, ctid), "(,,)" for a missing row.

    `xmin` is the transaction that wrote this version of the row and `ctid` where it lies: every
    UPDATE writes a new version elsewhere (a transaction's own updates keep its xmin, but never the
    place), so the pair changes with each change to the row.
    """
    return f"({alias}.id, {alias}.xmin, {alias}.ctid)::text"


@functools.cache
def _facts_sql(with_digest: bool) -> str:
    """One statement for everything a scan is judged on: the stamp, its run, batch and product, how often
    and since when it was seen, where first, and its open flags (plus, for the page, a digest).

    Parameters: the new scan's network (whether it was seen already), then the serial. Sightings
    are the public scans since activation that are not reloads, one per network (scans of unknown
    network each count: clone_rules.distinct_sightings); open flags those raised since activation.

    The digest is an md5 of the identity and version (_version) of the product, producer and batch
    rows: the page caches its rendering under it. PostgreSQL writes a new version of a row on every
    UPDATE, by whatever path (the ORM, `.update()`, raw SQL), and database triggers write one of
    the product, batch or producer whenever another row the page shows changes (journey and its
    shops, photos, certificates, region and commune names, the shop listing: tracing's migration
    0006 and marketplace's 0003), so any change gives a new digest. Reading those rows' versions
    here instead cost this statement six subqueries. Nothing of the scan itself is in the digest.
    """
    from tracing.models import Producer, Product, StampRun

    t = {
        "stamp": Stamp._meta.db_table,
        "run": StampRun._meta.db_table,
        "batch": Batch._meta.db_table,
        "product": Product._meta.db_table,
        "producer": Producer._meta.db_table,
        "scan": Scan._meta.db_table,
        "flag": SuspicionFlag._meta.db_table,
    }
    columns = ", ".join(f"s.{c}" for c in _STAMP_COLUMNS)
    digest = "NULL"
    if with_digest:
        digest = f"md5(concat_ws('|', {_version('p')}, {_version('pr')}, {_version('b')}))"
    return f"""
SELECT {columns}, r.producer_id, r.gtin14 AS run_gtin14, p.id AS product_id, p.gtin AS product_gtin, b.lot_code,
       seen.sightings, seen.network_seen, seen.first_at, first_place.place_name AS first_place,
       flags.rules AS open_rules, {digest} AS page_digest
FROM {t["stamp"]} s
JOIN {t["run"]} r ON r.id = s.run_id
JOIN {t["producer"]} pr ON pr.id = r.producer_id
LEFT JOIN {t["batch"]} b ON b.id = s.batch_id
LEFT JOIN {t["product"]} p ON p.id = coalesce(b.product_id, r.product_id)
CROSS JOIN LATERAL (
    SELECT {clone_rules.SIGHTINGS_SQL} AS sightings,
           coalesce(bool_or(network = %s::bigint), false) AS network_seen, min(scanned_at) AS first_at
    FROM {t["scan"]} WHERE stamp_id = s.id AND scanned_at >= {_IN_CIRCULATION_SINCE} AND {_COUNTED}
) seen
LEFT JOIN LATERAL (
    SELECT place_name FROM {t["scan"]}
    WHERE stamp_id = s.id AND scanned_at >= {_IN_CIRCULATION_SINCE} AND place_name <> ''
          AND channel <> '{Scan.Channel.STAFF.value}'
    ORDER BY scanned_at LIMIT 1
) first_place ON true
CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(rule ORDER BY created_at, id), '{{}}') AS rules
    FROM {t["flag"]} WHERE stamp_id = s.id AND resolved_at IS NULL AND created_at >= {_IN_CIRCULATION_SINCE}
) flags
WHERE s.serial = %s
"""  # noqa: S608 - table names come from the models; values are parameters


@functools.cache
def _insert_scan_sql() -> str:
    return (
        f"INSERT INTO {Scan._meta.db_table} (stamp_id, serial, scanned_at, verdict, channel, device_family, "  # noqa: S608
        "repeat, network, place_name) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '') RETURNING id"
    )


@dataclass(frozen=True, slots=True)
class ScanFacts:
    """What a scan is judged on, read in one statement (see _facts_sql)."""

    stamp: Stamp
    producer_id: int
    run_gtin14: str
    product_id: int | None
    product_gtin: str
    lot_code: str | None
    sightings: int
    #: The new scan's network is among those already counted.
    network_seen: bool
    first_at: datetime.datetime | None
    first_place: str
    open_rules: list[str]
    digest: str | None


def facts_query(serial: str, *, network: int | None, with_digest: bool) -> tuple[str, str, list]:
    """(prepared-statement name, SQL, parameters) of the facts of a scan from `network`: see scan_record(facts=…).

    As `also` for backend.throttling.hit_many: a CTE named `also`.
    """
    return f"hg_scan_facts{int(with_digest)}", f"also AS ({_facts_sql(with_digest)})", [network, serial]


_TOO_MANY_SCANS = clone_rules.too_many_scans_sql(
    sightings="facts.sightings",
    network_seen="facts.network_seen",
    repeat="scan_in.repeat",
    max_sightings="scan_in.max_sightings",
)


@functools.cache
def _record_sql(with_digest: bool) -> str:
    """record_query's statement (built once: the same string object each time)."""
    return f"""facts AS ({_facts_sql(with_digest)}),
scan_in AS (
    SELECT %s::varchar AS serial, %s::timestamptz AS scanned_at, %s::varchar AS device,
           %s::boolean AS repeat, %s::text AS gtin, %s::text AS lot, %s::int AS max_sightings,
           %s::bigint AS network
),
recorded AS (
    INSERT INTO {Scan._meta.db_table}
           (stamp_id, serial, scanned_at, verdict, channel, device_family, repeat, network, place_name)
    SELECT facts.id, scan_in.serial, scan_in.scanned_at,
           CASE
               WHEN facts.id IS NULL THEN '{Verdict.UNKNOWN.value}'
               WHEN facts.status = '{StampStatus.REVOKED.value}' THEN '{Verdict.REVOKED.value}'
               WHEN {clone_rules.not_in_circulation_sql("facts.status")}
                    OR facts.copy_confirmed_at IS NOT NULL
                    OR cardinality(facts.open_rules) > 0
                    OR {_TOO_MANY_SCANS}
                    OR NOT (scan_in.gtin IS NULL
                            OR (scan_in.gtin IN (nullif(facts.product_gtin, ''), nullif(facts.run_gtin14, ''))
                                AND (scan_in.lot IS NULL OR facts.lot_code IS NULL OR scan_in.lot = facts.lot_code)))
                   THEN '{Verdict.SUSPICIOUS.value}'
               ELSE '{Verdict.GENUINE.value}'
           END,
           '{Scan.Channel.WEB.value}', scan_in.device, scan_in.repeat, scan_in.network, ''
    FROM counters CROSS JOIN scan_in LEFT JOIN facts ON true
    WHERE counters.allowed
    RETURNING id, verdict
),
also AS (
    SELECT facts.*, recorded.id AS scan_id, recorded.verdict AS scan_verdict
    FROM scan_in LEFT JOIN facts ON true LEFT JOIN recorded ON true
)"""  # noqa: S608 - table names and constants from the models; values are parameters


def record_query(
    serial: str,
    *,
    now: datetime.datetime,
    user_agent: str,
    repeat: bool,
    network: int | None,
    link: DigitalLinkPath | None,
    with_digest: bool,
) -> tuple[str, str, list]:
    """The facts of an anonymous web scan and its INSERT, as `also` for backend.throttling.hit_many.

    The counters are rate limits (tracing.stamps.scan_limits.scan_gate): the scan is inserted only if all of
    them let the request through, with the
    verdict the rules give for a scan with no location: unknown, revoked, suspicious (never
    activated, confirmed copied by an official, an open flag, a mismatching Digital Link, one
    sighting — network — too many) or genuine. That is `_verdict` over the findings of
    `clone_rules.judge_scan` and the official's finding, written in SQL so
    that a scan costs one statement; scan_record(recorded=…) judges again in Python, corrects the
    row if they ever disagree (and logs it), and writes the flags. A new rule that needs no location
    must be added here as well as in clone_rules (the tracing tests fail on any disagreement). Its
    row: the facts' columns, then the new scan's id and verdict (NULL when refused).
    """
    gtin = link.gtin14 if link is not None else None
    lot = (link.lot or None) if link is not None and gtin is not None else None
    sql = _record_sql(with_digest)
    family = device_family(user_agent)
    params = [network, serial, serial, now, family, repeat, gtin, lot, clone_rules.MAX_SIGHTINGS, network]
    return f"hg_scan_record{int(with_digest)}", sql, params


def facts_from_row(row) -> ScanFacts | None:
    """The facts from a row of the facts query (or of record_query, whose last two columns it ignores)."""
    n = len(_STAMP_COLUMNS)
    if row is None or row[0] is None:
        return None
    stamp = Stamp.from_db(connection.alias, _STAMP_COLUMNS, row[:n])
    (
        producer_id,
        run_gtin14,
        product_id,
        product_gtin,
        lot_code,
        sightings,
        network_seen,
        first_at,
        place,
        rules,
        digest,
    ) = row[n : n + 11]
    return ScanFacts(
        stamp=stamp,
        producer_id=producer_id,
        run_gtin14=run_gtin14,
        product_id=product_id,
        product_gtin=product_gtin or "",
        lot_code=lot_code,
        sightings=sightings,
        network_seen=network_seen,
        first_at=first_at,
        first_place=place or "",
        open_rules=list(rules),
        digest=digest,
    )


def recorded_from_row(row) -> tuple[int, str]:
    """The (scan id, verdict) record_query inserted, from its row: its last two columns."""
    *_facts, scan_id, verdict = row
    return scan_id, verdict


def read_facts(serial: str, *, network: int | None = None, with_digest: bool = False) -> ScanFacts | None:
    with connection.cursor() as cursor:
        prepared.execute(cursor, f"hg_scan_facts{int(with_digest)}", _facts_sql(with_digest), [network, serial])
        return facts_from_row(cursor.fetchone())


def insert_scan(scan: Scan) -> None:
    with connection.cursor() as cursor:
        prepared.execute(
            cursor,
            "hg_scan_insert",
            _insert_scan_sql(),
            [
                scan.stamp_id,
                scan.serial,
                scan.scanned_at,
                scan.verdict,
                scan.channel,
                scan.device_family,
                scan.repeat,
                scan.network,
            ],
        )
        scan.pk = cursor.fetchone()[0]
    scan._state.adding = False
    scan._state.db = connection.alias
