"""Each clone rule on crafted scan histories: where it fires, and where it must not."""

import datetime

import pytest

from geo.scan_geometry import geodesic_km
from tracing.stamps import clone_rules as rules
from tracing.stamps.clone_rules import Sighting, StampFacts

T0 = datetime.datetime(2025, 11, 1, 9, 0, tzinfo=datetime.UTC)
HA_GIANG = (22.8233, 104.9784)
BAC_QUANG = (22.4950, 104.8670)  # ~38 km from Hà Giang city
HA_NOI = (21.0285, 105.8542)  # ~220 km
SAI_GON = (10.7769, 106.7009)  # ~1,350 km


def at(hours: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=hours)


def seen(scan_id, hours, place=None, province=1, **kw) -> Sighting:
    lat, lng = place if place else (None, None)
    return Sighting(scan_id=scan_id, at=at(hours), lat=lat, lng=lng, province_id=province if place else None, **kw)


def fired(findings) -> set[str]:
    return {f.rule for f in findings}


def test_too_many_sightings_fires_above_the_threshold():
    history = [seen(i, i) for i in range(rules.MAX_SIGHTINGS)]
    finding = rules.too_many_scans(history, seen(99, 100))
    assert finding is not None and finding.evidence["sightings"] == rules.MAX_SIGHTINGS + 1


def test_reloads_and_staff_scans_do_not_count_as_sightings():
    history = [seen(i, i, repeat=True) for i in range(40)] + [seen(100 + i, i, staff=True) for i in range(40)]
    history += [seen(200 + i, i) for i in range(rules.MAX_SIGHTINGS - 1)]
    assert rules.too_many_scans(history, seen(999, 50)) is None


def test_impossible_travel_fires_for_ha_giang_then_sai_gon_two_hours_later():
    finding = rules.impossible_travel([seen(1, 0, HA_GIANG)], seen(2, 2, SAI_GON, province=2), geodesic_km)
    assert finding is not None
    assert finding.evidence["scan_ids"] == [1, 2]
    assert 1200 < finding.evidence["distance_km"] < 1500
    assert finding.evidence["speed_kmh"] > 500


def test_a_day_by_road_from_ha_giang_to_ha_noi_is_plausible():
    assert rules.impossible_travel([seen(1, 0, HA_GIANG)], seen(2, 6, HA_NOI), geodesic_km) is None


def test_nearby_scans_within_the_location_margin_never_count_as_travel():
    # 38 km in 5 minutes is 450 km/h, but within the 25 km margin of phone locations plus 10 km at 120 km/h? No:
    # 38 - 25 = 13 km > 120 km/h × 1/12 h = 10 km fires; 10 minutes apart (20 km allowed) must not.
    assert rules.impossible_travel([seen(1, 0, HA_GIANG)], seen(2, 1 / 12, BAC_QUANG), geodesic_km) is not None
    assert rules.impossible_travel([seen(1, 0, HA_GIANG)], seen(2, 1 / 6, BAC_QUANG), geodesic_km) is None


def test_unlocated_scans_are_ignored_by_travel():
    assert rules.impossible_travel([seen(1, 0)], seen(2, 0.1, SAI_GON), geodesic_km) is None
    assert rules.impossible_travel([seen(1, 0, HA_GIANG)], seen(2, 0.1), geodesic_km) is None


def test_outside_distribution_fires_far_from_every_known_point_and_outside_the_province():
    facts = StampFacts(status="activated", distribution_km=1300.0, in_producer_province=False)
    finding = rules.outside_distribution(seen(5, 1, SAI_GON, province=2), facts)
    assert finding is not None and finding.evidence["threshold_km"] == rules.DISTRIBUTION_RADIUS_KM


@pytest.mark.parametrize(
    "facts",
    [
        StampFacts(status="activated", distribution_km=120.0, in_producer_province=False),  # near a shop
        StampFacts(status="activated", distribution_km=900.0, in_producer_province=True),  # in the home province
        StampFacts(status="activated", distribution_km=None, in_producer_province=False),  # nothing known
    ],
)
def test_outside_distribution_does_not_fire_near_a_shop_in_the_province_or_without_data(facts):
    assert rules.outside_distribution(seen(5, 1, SAI_GON, province=2), facts) is None


def test_a_scan_in_another_province_after_the_pin_was_confirmed_fires():
    facts = StampFacts(status="sold", confirmed_at=at(1), confirmed_province_id=1, confirmed_place="Hà Giang")
    finding = rules.confirmed_elsewhere(seen(7, 30, HA_NOI, province=2), facts)
    assert finding is not None and finding.evidence["confirmed_place"] == "Hà Giang"


def test_a_scan_in_the_same_province_or_before_confirmation_does_not():
    facts = StampFacts(status="sold", confirmed_at=at(1), confirmed_province_id=1)
    assert rules.confirmed_elsewhere(seen(7, 30, BAC_QUANG, province=1), facts) is None
    assert rules.confirmed_elsewhere(seen(7, 0.5, HA_NOI, province=2), facts) is None
    assert rules.confirmed_elsewhere(seen(7, 30, HA_NOI, province=2), StampFacts(status="activated")) is None


@pytest.mark.parametrize("status", ["issued", "revoked"])
def test_a_revoked_or_never_activated_code_scanned_by_the_public_fires(status):
    assert rules.not_in_circulation(seen(1, 0), StampFacts(status=status)).rule == rules.NOT_IN_CIRCULATION


def test_an_active_code_or_a_staff_scan_is_not_out_of_circulation():
    assert rules.not_in_circulation(seen(1, 0), StampFacts(status="activated")) is None
    assert rules.not_in_circulation(seen(1, 0, staff=True), StampFacts(status="issued")) is None


def test_evaluate_reports_every_rule_that_fires_and_each_has_a_plain_warning():
    history = [seen(i, i * 0.01, HA_GIANG, network=i) for i in range(rules.MAX_SIGHTINGS)]
    facts = StampFacts(
        status="sold",
        confirmed_at=at(0.1),
        confirmed_province_id=1,
        distribution_km=1300.0,
        in_producer_province=False,
    )
    findings = rules.evaluate(history, seen(500, 1, SAI_GON, province=2), facts, distance_km=geodesic_km)
    findings += rules.evaluate(history, seen(501, 1), StampFacts(status="revoked"), distance_km=geodesic_km)
    assert fired(findings) == set(rules.RULES)
    assert all(len(f.warning) > 20 for f in findings)


@pytest.mark.parametrize("status", ["issued", "revoked"])
def test_a_stamp_not_in_circulation_is_judged_only_as_out_of_circulation(status):
    """Before activation (a test label) or after revocation, nothing seen is evidence about a unit on sale."""
    history = [seen(i, i * 0.01, HA_GIANG, network=i) for i in range(rules.MAX_SIGHTINGS + 5)]
    facts = StampFacts(status=status, distribution_km=1300.0, in_producer_province=False)
    findings = rules.evaluate(history, seen(500, 1, SAI_GON, province=2), facts, distance_km=geodesic_km)
    assert fired(findings) == {rules.NOT_IN_CIRCULATION}


def test_sightings_from_one_network_count_once():
    history = [seen(i, i, network=7) for i in range(rules.MAX_SIGHTINGS * 3)]
    history += [seen(100 + i, i, network=100 + i) for i in range(rules.MAX_SIGHTINGS - 2)]
    assert rules.too_many_scans(history, seen(999, 50, network=7)) is None
    assert rules.too_many_scans(history, seen(999, 50, network=5000)) is None  # exactly the threshold
    finding = rules.too_many_scans([*history, seen(998, 49, network=4000)], seen(999, 50, network=5000))
    assert finding is not None and finding.evidence["sightings"] == rules.MAX_SIGHTINGS + 1


def test_sightings_of_unknown_network_each_count():
    history = [seen(i, i) for i in range(rules.MAX_SIGHTINGS)]
    assert rules.too_many_scans(history, seen(999, 50)) is not None


def test_scans_before_activation_are_no_sightings_and_no_travel_evidence():
    history = [seen(i, i * 0.01, HA_NOI, network=i, before_activation=True) for i in range(rules.MAX_SIGHTINGS + 5)]
    assert rules.too_many_scans(history, seen(999, 1, network=999)) is None
    assert rules.impossible_travel(history, seen(999, 1, HA_GIANG), geodesic_km) is None


def test_staff_scans_are_no_travel_or_distribution_evidence_either_way():
    assert rules.impossible_travel([seen(1, 0, SAI_GON, staff=True)], seen(2, 1, HA_GIANG), geodesic_km) is None
    assert rules.impossible_travel([seen(1, 0, HA_GIANG)], seen(2, 1, SAI_GON, staff=True), geodesic_km) is None
    far = StampFacts(status="activated", distribution_km=1300.0, in_producer_province=False)
    assert rules.outside_distribution(seen(1, 0, SAI_GON, staff=True), far) is None
    assert rules.outside_distribution(seen(1, 0, SAI_GON), far) is not None


def test_a_normal_life_of_a_stamp_fires_nothing():
    history = [seen(1, 0, HA_GIANG), seen(2, 24, HA_GIANG), seen(3, 48)]
    facts = StampFacts(
        status="sold", confirmed_at=at(30), confirmed_province_id=1, distribution_km=3.0, in_producer_province=True
    )
    assert rules.evaluate(history, seen(4, 50, BAC_QUANG, province=1), facts, distance_km=geodesic_km) == []


# -- The SQL forms (clone_rules writes the rules that need no location twice) --------------------


def _sql_sightings(cursor, activated_at, rows, network) -> tuple[int, bool]:
    """SIGHTINGS_SQL over `rows` (scanned_at, repeat, channel, network), with whether `network` is among them."""
    values = ", ".join(["(%s::timestamptz, %s::boolean, %s::text, %s::bigint)"] * len(rows)) or (
        "(NULL::timestamptz, NULL::boolean, NULL::text, NULL::bigint)"
    )
    cursor.execute(
        f"""WITH s AS (SELECT %s::timestamptz AS activated_at),
                 scan (scanned_at, repeat, channel, network) AS (VALUES {values})
            SELECT {rules.SIGHTINGS_SQL}, coalesce(bool_or(network = %s::bigint), false)
            FROM scan, s
            WHERE scanned_at >= {rules.IN_CIRCULATION_SINCE_SQL} AND {rules.COUNTED_SQL}""",  # noqa: S608
        [activated_at, *[v for row in rows for v in row], network],
    )
    return cursor.fetchone()


@pytest.mark.django_db
def test_the_sql_form_of_each_rule_without_location_judges_as_its_python_form():
    """The anonymous scan is judged in SQL (scan_sql.record_query) and in Python: over the same random
    histories, the sightings counted and too_many_scans agree, for stamps activated or not."""
    import random

    from django.db import connection

    rng = random.Random(15)
    networks = [None, *range(1, 80)]
    checked_over = checked_under = 0
    with connection.cursor() as cursor:
        for _case in range(250):
            activated_at = None if rng.random() < 0.15 else at(rng.uniform(0, 5))
            rows, history = [], []
            for _ in range(rng.randint(0, 60)):
                when = at(rng.uniform(0, 10))
                repeat, staff, network = rng.random() < 0.15, rng.random() < 0.1, rng.choice(networks)
                rows.append((when, repeat, "staff" if staff else "web", network))
                before = activated_at is not None and when < activated_at
                history.append(
                    Sighting(
                        scan_id=None, at=when, repeat=repeat, staff=staff, network=network, before_activation=before
                    )
                )
            latest = Sighting(scan_id=None, at=at(11), repeat=rng.random() < 0.2, network=rng.choice(networks))
            sightings, network_seen = _sql_sightings(cursor, activated_at, rows, latest.network)
            assert sightings == len(rules.distinct_sightings(history))
            cursor.execute(
                "SELECT "
                + rules.too_many_scans_sql(
                    sightings="%s::int", network_seen="%s::boolean", repeat="%s::boolean", max_sightings="%s::int"
                ),
                [sightings, network_seen, latest.repeat, rules.MAX_SIGHTINGS],
            )
            in_sql = cursor.fetchone()[0]
            assert in_sql == (rules.too_many_scans(history, latest) is not None)
            checked_over += in_sql
            checked_under += not in_sql
    assert checked_over > 20 and checked_under > 20  # both sides of the threshold were judged


@pytest.mark.django_db
def test_the_sql_form_of_not_in_circulation_and_the_constants_match_the_models():
    from django.db import connection

    from tracing.models import Scan
    from tracing.models.stamps import StampStatus

    assert f"channel <> '{Scan.Channel.STAFF.value}'" in rules.COUNTED_SQL
    assert set(rules.IN_CIRCULATION) == {StampStatus.ACTIVATED.value, StampStatus.SOLD.value}
    latest = Sighting(scan_id=None, at=at(1))
    with connection.cursor() as cursor:
        for status in StampStatus.values:
            cursor.execute("SELECT " + rules.not_in_circulation_sql("%s::text"), [status])
            python = rules.not_in_circulation(latest, StampFacts(status=status)) is not None
            # A revoked code has a verdict of its own in SQL (revoked), before this condition is read.
            assert cursor.fetchone()[0] == (python and status != StampStatus.REVOKED)
