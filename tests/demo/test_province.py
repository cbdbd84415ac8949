"""The demo province: producers of every kind in their real communes, approved through the workflow, with
production areas in the growing regions; consistent journeys; media that play; stamps, scans and cases
in every state; the cross-checks flag only the three deliberate anomalies; a second seed adds nothing."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from mutagen.mp3 import MP3
from PIL import Image

from demo import media
from demo import province as spec
from demo.geography import DISTRICT_DAY
from geo.containment import units_containing
from oversight.checks import all_anomalies
from oversight.models import Case
from tracing.models import Batch, BatchEvent, Producer, Product, ProductionArea, Scan, Stamp, StampRun, SuspicionFlag
from tracing.models.stamps import SoldVia, StampStatus

pytestmark = pytest.mark.django_db

WELL_BEHAVED = [item.key for item in spec.PRODUCERS if item.well_behaved and item.status == "approved"]


def test_at_least_six_producers_of_every_kind_and_product_are_approved(province):
    approved = [p for p in province.values() if p.status == Producer.Status.APPROVED]
    assert len(approved) >= 6
    assert {p.kind for p in approved} == {"cooperative", "household", "enterprise"}
    kinds = set(Product.objects.filter(producer__in=approved).values_list("kind__code", flat=True))
    assert kinds == {"orange", "tea", "honey"}
    steps = set(province["A"].status_changes.values_list("to_status", flat=True))
    assert steps == {"applied", "survey_scheduled", "surveyed", "approved"}
    assert province["H"].status == "applied" and province["I"].status == "survey_scheduled"


@pytest.mark.parametrize("item", spec.PRODUCERS, ids=lambda item: item.key)
def test_each_producer_lies_in_the_district_its_commune_came_from(province, item):
    producer = province[item.key]
    assert producer.commune.name == item.commune
    lat, lng = producer.location.y, producer.location.x
    districts = list(units_containing(lat, lng, on=DISTRICT_DAY, level="district"))
    assert [d.code for d in districts] == [item.district_code]
    assert districts[0].successors.filter(pk=producer.commune_id).exists()


def test_the_flagship_cooperative_is_in_vinh_tuy_not_the_first_commune_of_the_table(province):
    assert province["A"].commune.name == "Xã Vĩnh Tuy"


def test_each_product_names_the_growing_region_its_areas_lie_in(province):
    for product in Product.objects.filter(producer__in=province.values()).select_related("growing_region"):
        assert product.growing_region.product_kind_id == product.kind_id
        assert product.growing_region.area_links.filter(area__producer=product.producer).exists()


def test_every_production_area_lies_in_the_growing_region_of_what_it_declares(province):
    areas = ProductionArea.objects.prefetch_related("region_links__region", "capacities__product_kind")
    assert areas.count() >= 10
    for area in areas:
        assert area.region_warnings() == [], area.name
        assert area.capacities.exists()


@pytest.mark.parametrize("key", WELL_BEHAVED)
def test_no_cross_check_flags_a_well_behaved_producer(province, key):
    findings = all_anomalies(producer_id=province[key].pk)
    assert {check: [a.sentence for a in found] for check, found in findings.items() if found} == {}


def test_the_cross_checks_find_the_three_deliberate_anomalies_and_nothing_else(province):
    # capacity is judged per calendar year: the year of B's activations (last year when seeded early in January)
    activated = Stamp.objects.filter(run__producer=province["B"], activated_at__isnull=False).first().activated_at
    year = timezone.localtime(activated).year
    found = {(check, a.producer_id) for check, items in all_anomalies(year=year).items() for a in items}
    assert found == {
        ("capacity", province["B"].pk),
        ("journey", province["D"].pk),
        ("far_scan", province["F"].pk),
    }


def test_each_journey_starts_with_the_harvest_on_the_batch_date_and_runs_in_order_in_the_past(province):
    batches = Batch.objects.filter(producer__in=province.values()).prefetch_related("events")
    assert batches.count() >= 12
    now = timezone.now()
    for batch in batches:
        events = list(batch.events.order_by("occurred_at", "pk"))
        assert events[0].event_type == BatchEvent.Type.COMMISSIONING, batch.lot_code
        assert timezone.localtime(events[0].occurred_at).date() == batch.harvest_started_on, batch.lot_code
        times = [e.occurred_at for e in events]
        assert times == sorted(times) and times[-1] < now, batch.lot_code
        assert sum(e.event_type == BatchEvent.Type.COMMISSIONING for e in events) == 1


def test_every_demo_product_has_photos_and_an_audio_clip_that_plays(province):
    products = Product.objects.filter(producer__status="approved").prefetch_related("photos")
    assert products.count() >= 9
    for product in products:
        assert product.photos.count() >= 1, product.name_vi
        for photo in product.photos.all():
            with Image.open(photo.image.path) as image:
                assert image.width >= 800
        assert product.audio_content_type == "audio/mpeg"
        with product.audio.open("rb") as clip:
            info = MP3(clip).info
        assert 3 < info.length < 30 and info.length == pytest.approx(product.audio_duration_s, abs=0.1)


def test_the_demo_media_files_are_small_and_every_clip_decodes():
    files = [*media.PHOTO_DIR.iterdir(), *media.AUDIO_DIR.iterdir()]
    assert sum(f.stat().st_size for f in files) < 1_500_000
    for clip in media.AUDIO_DIR.glob("*.mp3"):
        assert MP3(clip).info.length > 3
    spoken = {product.audio for producer in spec.PRODUCERS for product in producer.products}
    assert spoken == {clip.name for clip in media.AUDIO_DIR.glob("*.mp3")}


def test_stamp_runs_and_stamps_reach_every_state(province):
    runs = StampRun.objects.filter(producer__in=province.values())
    states = set()
    for run in runs:
        counts = {s: run.stamps.filter(status=s).count() for s in StampStatus.values}
        active = counts["activated"] + counts["sold"] + counts["revoked"]
        states.add("untouched" if active == 0 else "full" if counts["issued"] == 0 else "partly")
    assert states == {"untouched", "partly", "full"}
    stamps = Stamp.objects.filter(run__in=runs)
    assert set(stamps.values_list("status", flat=True)) == set(StampStatus.values)
    assert set(stamps.exclude(sold_via="").values_list("sold_via", flat=True)) == set(SoldVia.values)
    assert runs.filter(pins_downloaded_at__isnull=True).exists()


def test_weeks_of_scans_from_several_places_some_suspicious(province):
    scans = Scan.objects.filter(stamp__run__producer__in=province.values())
    first, last = scans.order_by("scanned_at").first().scanned_at, scans.order_by("scanned_at").last().scanned_at
    assert last - first >= datetime.timedelta(days=21)
    assert scans.count() >= 300
    assert (
        scans.filter(verdict=Scan.Verdict.SUSPICIOUS).exists() and scans.filter(verdict=Scan.Verdict.REVOKED).exists()
    )
    places = {
        (round(p.y, 1), round(p.x, 1)) for p in scans.filter(location__isnull=False).values_list("location", flat=True)
    }
    assert len(places) >= 6  # around the shops of Hà Giang, Bắc Quang, Đồng Văn, Quản Bạ, Hà Nội, Sài Gòn
    assert scans.filter(channel=Scan.Channel.STAFF).exists() and scans.filter(repeat=True).exists()
    assert set(scans.values_list("device_family", flat=True)) >= {"iphone", "android"}


def test_suspicion_flags_and_cases_belong_to_the_producers_with_a_story(province):
    flagged = set(SuspicionFlag.objects.values_list("stamp__run__producer", flat=True))
    assert flagged == {province["B"].pk, province["D"].pk, province["F"].pk}
    assert set(Case.objects.values_list("status", flat=True)) == {"open", "investigating", "closed"}


def test_seeding_again_creates_nothing_and_says_so(province):
    models = [
        m for app in ("tracing", "marketplace", "oversight", "geo") for m in apps.get_app_config(app).get_models()
    ]
    before = {m._meta.label: m.objects.count() for m in models}
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert {m._meta.label: m.objects.count() for m in models} == before
    assert "already there" in out.getvalue()


def test_seed_demo_prints_the_accounts_and_stamp_links_with_pins_for_several_producers(seeded):
    for account in spec.ACCOUNTS:
        assert account.username in seeded
    lines = [line for line in seeded.splitlines() if " PIN " in line]
    assert len({line.split(":")[-2].split("  ")[-1] for line in lines}) >= 4
    assert all("/21/" in line or "/t/" in line for line in lines)


@pytest.mark.parametrize("hour", [0, 3, 9, 14, 23])
def test_fractions_of_a_day_keep_their_place_between_whole_days_whatever_the_hour_of_seeding(hour):
    """A demo seeded just after local midnight expired no transfer: 8.9 days ago fell before the deadline
    that a 10-days-ago order had (9 days ago, 09:00)."""
    import datetime

    from django.utils import timezone

    from demo.clock import Clock

    clock = Clock(today=datetime.date(2026, 12, 3))
    clock.real_now = timezone.make_aware(datetime.datetime(2026, 12, 3, hour, 20))
    assert clock.moment(days=9) < clock.moment(days=8.9) < clock.moment(days=8)
    assert clock.moment(days=10) + datetime.timedelta(hours=24) < clock.moment(days=8.9)
