"""What happens to the demo's stamps once they are in the shops: weeks of scans by the public (some with a
shared location, a few reloads, some PIN confirmations), the producers' own checks, and the stories
the officials follow up — a copied code, a code far from home, a revoked code back on sale — with
counterfeit reports, cases in every state and an inspection on site.

Scans go through tracing's scan_record and scan_share_location, exactly as the scan page calls them;
the clone rules and cross-checks then judge them like any others. Every batch's scans are drawn
from a random generator seeded with its lot code, so the demo is the same on every machine.
"""

from __future__ import annotations

import contextlib
import datetime
import random

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from demo import province as spec
from demo.clock import Clock
from geo.models import RetailPoint
from oversight import services as oversight_services
from oversight.models import Case, InspectionFinding
from tracing import services
from tracing.models import Batch, BatchEvent, CounterfeitReport, Scan, Stamp
from tracing.models.stamps import StampStatus
from tracing.stamps.confirmation import PinRefused

USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; vivo Y21) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
)
#: Share of a batch's activated stamps that the public scans, and the longest stretch of days shown.
SCANNED_SHARE, MAX_SPAN_DAYS = 0.3, 42
CHO_DONG_XUAN = (21.0382, 105.8497)  # Hà Nội's old market, a kilometre from the demo shop in Hàng Bè
BEN_THANH = (10.7725, 106.6980)  # Thành phố Hồ Chí Minh
VIET_QUANG_MARKET = (22.4151, 104.8068)


#: How often each of USER_AGENTS scans: phones, Android ahead of iPhone as in Việt Nam, now and then a desktop.
USER_AGENT_WEIGHTS = (35, 25, 20, 12, 8)


def _scan(serial: str, rng: random.Random, *, user=None, repeat: bool = False) -> Scan:
    agent = rng.choices(USER_AGENTS, weights=USER_AGENT_WEIGHTS)[0]
    outcome = services.scan_record(serial=serial, user_agent=agent, repeat=repeat, user=user)
    return outcome.scan


def _share(scan: Scan, lat: float, lng: float, rng: random.Random, spread_deg: float) -> None:
    services.scan_share_location(
        scan_id=scan.pk, lat=lat + rng.uniform(-spread_deg, spread_deg), lng=lng + rng.uniform(-spread_deg, spread_deg)
    )


def _daytime(moment: datetime.datetime, rng: random.Random, clock: Clock) -> datetime.datetime:
    """The same day between 07:00 and 21:00 local time (people scan what they buy by day), never in the future."""
    local = timezone.localtime(moment)
    if not 7 <= local.hour < 21:
        local = local.replace(hour=rng.randint(8, 20), minute=rng.randrange(60))
    return min(local, clock.real_now - datetime.timedelta(minutes=30))


def _received(batch: Batch) -> BatchEvent | None:
    return batch.events.filter(event_type=BatchEvent.Type.RECEIVING).select_related("retail_point").first()


def batch_scans_ensure(batch: Batch, pins: dict[str, str], clock: Clock, *, producer_user: User) -> int:
    """Weeks of public scans of a batch's stamps near the shop that received it (once per batch)."""
    if Scan.objects.filter(stamp__batch=batch).exists():
        return 0
    received = _received(batch)
    if received is None:
        return 0
    rng = random.Random(batch.lot_code + str(batch.producer_id))
    shop = received.retail_point
    lat, lng = shop.location.y, shop.location.x
    start = received.occurred_at + datetime.timedelta(hours=2)
    span_s = min((clock.real_now - start).total_seconds(), MAX_SPAN_DAYS * 86_400) - 3_600
    stamps = list(
        Stamp.objects.filter(batch=batch, status=StampStatus.ACTIVATED, confirmed_at__isnull=True).order_by("number")
    )
    # the producer's staff check two labels the day they stick them: staff scans never count as sightings
    for stamp in stamps[:2]:
        with clock.at(stamp.activated_at + datetime.timedelta(minutes=15)):
            _scan(stamp.serial, rng, user=producer_user)
    made = 0
    for stamp in stamps[2 : 2 + max(1, round(len(stamps) * SCANNED_SHARE))]:
        # a few buyers scan in the shop soon after the goods arrive, most spread over the weeks that follow
        first = max(_daytime(start + datetime.timedelta(seconds=span_s * rng.random() ** 1.3), rng, clock), start)
        with clock.at(first):
            scan = _scan(stamp.serial, rng)
            made += 1
            if rng.random() < 0.45:
                _share(scan, lat, lng, rng, 0.01)
            if stamp.serial in pins and rng.random() < 0.35:
                with contextlib.suppress(PinRefused):  # confirmed before: nothing more to do
                    services.stamp_confirm_pin(serial=stamp.serial, pin=pins[stamp.serial], scan_id=scan.pk)
        if rng.random() < 0.15:
            with clock.at(first + datetime.timedelta(minutes=2)):
                _scan(stamp.serial, rng, repeat=True)
        if rng.random() < 0.3:
            later = _daytime(first + datetime.timedelta(days=rng.uniform(1, 9)), rng, clock)
            with clock.at(later):
                scan = _scan(stamp.serial, rng)
                made += 1
                if rng.random() < 0.3:
                    _share(scan, lat, lng, rng, 0.03)
    return made


def shop_sales_ensure(batch: Batch, user: User, clock: Clock, *, count: int, days: int) -> int:
    """The shop hands units over and the producer records them sold (the stamps say "sold by a shop")."""
    if Stamp.objects.filter(batch=batch, sold_via="shop").exists():
        return 0
    serials = list(
        Stamp.objects.filter(batch=batch, status=StampStatus.ACTIVATED, scans__isnull=True)
        .order_by("-number")
        .values_list("serial", flat=True)[:count]
    )
    if not serials:
        return 0
    with clock.at(days=days, hour=17):
        return services.stamps_mark_sold(by=user, serials=serials, via="shop")


# -- the stories the officials follow up -----------------------------------------------------------


def _stamp(producer_key: str, lot: str, *, status: str = StampStatus.ACTIVATED, nth: int = 0) -> Stamp:
    producer = spec.producer(producer_key)
    stamps = Stamp.objects.filter(run__producer__name=producer.name, batch__lot_code=lot, status=status).order_by(
        "-number"
    )
    return stamps[nth]


def copied_code_ensure(clock: Clock) -> Stamp:
    """D's code photocopied onto tea at a Hà Nội market: scanned by buyer after buyer, then reported."""
    stamp = _stamp("D", "HT-01", nth=3)
    if stamp.scans.exists():
        return stamp
    rng = random.Random("copied")
    for i in range(28):
        with clock.at(clock.moment(days=13 - i * 11 // 28, hour=8 + i % 10, minute=rng.randrange(60))):
            scan = _scan(stamp.serial, rng)
            if i % 4 == 0:
                _share(scan, *CHO_DONG_XUAN, rng, 0.004)
    with clock.at(days=2, hour=19):
        services.report_create(
            serial=stamp.serial,
            note="Ở chợ Đồng Xuân có nhiều hộp hồng trà dán cùng một mã tem, quét lên đều ra Trà Vị Xuyên.",
            place="Chợ Đồng Xuân, Hà Nội",
            shop="Sạp chè tầng 1",
            lat=CHO_DONG_XUAN[0],
            lng=CHO_DONG_XUAN[1],
        )
    return stamp


def far_code_ensure(clock: Clock) -> Stamp:
    """F's honey code scanned in Quản Bạ and, three hours later, in Thành phố Hồ Chí Minh; the buyer reports it."""
    stamp = _stamp("F", "QB-01", nth=1)
    if stamp.scans.exists():
        return stamp
    rng = random.Random("far")
    shop = RetailPoint.objects.get(name=spec.QB_SHOP)
    with clock.at(days=6, hour=10):
        _share(_scan(stamp.serial, rng), shop.location.y, shop.location.x, rng, 0.002)
    with clock.at(days=6, hour=13, minute=10):
        _share(_scan(stamp.serial, rng), *BEN_THANH, rng, 0.003)
    with clock.at(days=6, hour=13, minute=40):
        services.report_create(
            serial=stamp.serial,
            note="Mua ở chợ Bến Thành, chai nhựa chứ không phải chai thuỷ tinh, mật loãng. Tem quét vẫn ra Quản Bạ.",
            place="Chợ Bến Thành, Thành phố Hồ Chí Minh",
            lat=BEN_THANH[0],
            lng=BEN_THANH[1],
        )
    return stamp


def revoked_code_ensure(clock: Clock) -> Stamp:
    """One of B's stamps revoked by the official is scanned on a bag at the Việt Quang market."""
    stamp = _stamp("B", "YB-01", status=StampStatus.REVOKED, nth=5)
    if stamp.scans.exists():
        return stamp
    rng = random.Random("revoked")
    with clock.at(days=3, hour=7, minute=40):
        _share(_scan(stamp.serial, rng), *VIET_QUANG_MARKET, rng, 0.002)
    return stamp


def roadside_report_ensure(clock: Clock) -> CounterfeitReport:
    """A report without a code: oranges sold as "cam sành Hà Giang" by a road, no stamp at all."""
    note = "Xe tải bán cam ven quốc lộ 2 ghi “cam sành Hà Giang” nhưng không có tem, giá rất rẻ."
    report = CounterfeitReport.objects.filter(note=note).first()
    if report is None:
        with clock.at(days=9, hour=16):
            report = services.report_create(
                note=note, place="Quốc lộ 2, gần Đoan Hùng, Phú Thọ", shop="Xe tải ven đường"
            )
    return report


def _case(**lookup) -> Case:
    return Case.objects.get(**lookup)


def cases_ensure(users: dict[str, User], clock: Clock, *, copied: Stamp, far: Stamp, revoked: Stamp, roadside) -> None:
    """The officials take up the cases: one left new, one being investigated, others closed with an outcome."""
    official, colleague = users["official"], users["official-nn"]
    copied_case = _case(report__stamp=copied)
    if copied_case.status == Case.Status.OPEN:
        with clock.at(days=1, hour=9):
            oversight_services.case_assign(by=official, case=copied_case, assignee=colleague)
        with clock.at(days=1, hour=14):
            oversight_services.case_investigate(
                by=colleague, case=copied_case, note="Đã liên hệ Ban quản lý chợ Đồng Xuân, hẹn kiểm tra sạp."
            )
    flag_case = Case.objects.filter(flag__stamp=copied, status=Case.Status.OPEN, assignee__isnull=True).first()
    if flag_case is not None:
        with clock.at(days=1, hour=14, minute=5):
            oversight_services.case_assign(by=official, case=flag_case, assignee=colleague)
    revoked_case = Case.objects.filter(flag__stamp=revoked).first()
    if revoked_case is not None and not revoked_case.is_closed:
        with clock.at(days=2, hour=10):
            oversight_services.case_close(
                by=official,
                case=revoked_case,
                outcome=Case.Outcome.PRODUCER_ERROR,
                note="Hộ kinh doanh chưa bóc tem đã thu hồi khỏi túi cam gửi chợ; đã hướng dẫn bóc và thay tem mới.",
            )
    roadside_case = _case(report=roadside)
    if not roadside_case.is_closed:
        with clock.at(days=5, hour=15):
            oversight_services.case_close(
                by=colleague,
                case=roadside_case,
                outcome=Case.Outcome.INCONCLUSIVE,
                note="Đội quản lý thị trường đến nơi thì xe đã đi; chưa xác định được nguồn cam.",
            )
    del far  # its report and flags wait, new, in the queue for an official to take up


def inspection_ensure(users: dict[str, User], clock: Clock) -> InspectionFinding | None:
    """An inspector checks a box of oranges at the Hà Giang supermarket: in order, an authorised reseller."""
    official = users["official-nn"]
    if InspectionFinding.objects.filter(inspector=official).exists():
        return None
    shop = RetailPoint.objects.get(name=spec.HG_SUPERMARKET)
    stamp = (
        Stamp.objects.filter(
            Q(status=StampStatus.ACTIVATED), batch__events__retail_point=shop, batch__lot_code="CAM-02"
        )
        .order_by("number")
        .first()
    )
    if stamp is None:
        return None
    with clock.at(days=7, hour=10, minute=30):
        return oversight_services.inspection_record(
            by=official,
            serial=stamp.serial,
            result=InspectionFinding.Result.CONFORM,
            note="Hàng trên quầy có tem, đúng lô CAM-02, cửa hàng là đại lý được uỷ quyền.",
            retail_point=shop,
            location=shop.location,
            accuracy_m=15,
        )
