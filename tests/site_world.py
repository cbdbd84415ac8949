"""One of everything, made through the services, and every page each role can open.

The site-wide sweeps (every page of every role at phone width, in both languages, with hostile text
in every field) all start from `build_world()` and `pages(world)`. `text` decides what goes into every
free-text field a participant can type (names, addresses, notes), so a sweep can plant payloads or very
long words in all of them at once.

`tests/test_site_world.py` keeps the inventory complete: every page route of the site must either be
opened here for some role or be listed in `NOT_PAGES` with the reason.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from backend import roles
from backend.roles import roles_sync_permissions
from tests.conftest import make_user

#: The roles a sweep visits the site as; "anonymous" is nobody signed in.
ROLES = ("anonymous", "consumer", "producer", "retailer", "official", "admin")

Text = Callable[[str], str]


def plain(label: str) -> str:
    """The default text: a short, readable Vietnamese label naming the field."""
    return label


@dataclass
class World:
    users: dict[str, User]
    objects: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.objects[name]


def _tax_number(first_nine: str) -> str:
    """A tax number (mã số thuế) with a correct check digit after `first_nine` (province code 02)."""
    from tracing.identifiers import mst_check_digit

    for n in range(int(first_nine), int(first_nine) + 100):
        check = mst_check_digit(f"{n:09d}")
        if check is not None:
            return f"{n:09d}{check}"
    raise AssertionError("no valid tax number near " + first_nine)


def _square(lon: float, lat: float, size: float) -> Polygon:
    return Polygon(((lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat)), srid=4326)


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (48, 36), (214, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _prerequisites() -> None:
    """What migrations make and a transactional test's flush removes: the role groups and product kinds."""
    from tests.geo.pages_data import ensure_product_kinds

    ensure_product_kinds()
    for role in roles.ROLES:
        Group.objects.get_or_create(name=role)
    roles_sync_permissions()


def build_world(text: Text = plain) -> World:
    """Producers, products, a batch with its journey, stamps scanned and reported, shops with stock, a
    listing, orders, cases, an inspection finding and a finished job — each made as the site makes it."""
    from geo.models import AdminUnit, GrowingRegion, OpeningException, ProductKind
    from geo.services import retail_point_create, retail_point_verify
    from marketplace import services as market
    from marketplace.models import Cart
    from oversight import services as oversight
    from oversight.models import Case
    from tracing import services
    from tracing.models import Stamp
    from tracing.stamps.selection import Selection

    _prerequisites()
    today = timezone.localdate()
    kinds = {kind.code: kind for kind in ProductKind.objects.all()}

    # The map: the pre-2025 province with a district and a commune, and the 2025 province with its successor.
    old_day, new_day = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
    province = AdminUnit.objects.create(
        level="province",
        code="02",
        name=text("Hà Giang"),
        valid_to=old_day,
        boundary=MultiPolygon(_square(104.3, 22.1, 1.2), srid=4326),
    )
    district = AdminUnit.objects.create(
        level="district",
        code="034",
        name=text("Bắc Quang"),
        parent=province,
        valid_to=old_day,
        boundary=MultiPolygon(_square(104.7, 22.3, 0.3), srid=4326),
    )
    commune = AdminUnit.objects.create(
        level="commune",
        code="00799",
        name=text("Thị trấn Việt Quang"),
        parent=district,
        valid_to=old_day,
        boundary=MultiPolygon(_square(104.75, 22.35, 0.15), srid=4326),
    )
    new_province = AdminUnit.objects.create(
        level="province",
        code="08",
        name=text("Tuyên Quang"),
        valid_from=new_day,
        boundary=MultiPolygon(_square(104.3, 22.1, 1.2), srid=4326),
    )
    new_commune = AdminUnit.objects.create(
        level="commune",
        code="02635",
        name=text("Xã Việt Quang"),
        parent=new_province,
        valid_from=new_day,
        boundary=MultiPolygon(_square(104.75, 22.35, 0.15), srid=4326),
        centre=Point(104.82, 22.41, srid=4326),
    )
    commune.successors.add(new_commune)
    region = GrowingRegion.objects.create(
        name=text("Vùng cam sành Bắc Quang"),
        product_kind=kinds["orange"],
        boundary=MultiPolygon(_square(104.7, 22.3, 0.3), srid=4326),
        boundary_source=text("Nguồn ranh giới vùng"),
    )

    users = {
        "consumer": make_user(
            "nguoi.mua", roles.CONSUMER, first_name=text("Tên người mua"), last_name=text("Họ người mua")
        ),
        "producer": make_user(
            "htx.cam", roles.CONSUMER, first_name=text("Tên nhân viên HTX"), last_name=text("Họ nhân viên HTX")
        ),
        "retailer": make_user(
            "cua.hang",
            roles.RETAILER_STAFF,
            first_name=text("Tên nhân viên cửa hàng"),
            last_name=text("Họ nhân viên cửa hàng"),
        ),
        "official": make_user(
            "can.bo", roles.OFFICIAL, is_staff=True, first_name=text("Tên cán bộ"), last_name=text("Họ cán bộ")
        ),
        "admin": make_user(
            "quan.tri", roles.ADMINISTRATOR, is_staff=True, is_superuser=True, first_name=text("Tên quản trị viên")
        ),
    }
    official, staff = users["official"], users["producer"]
    coop_at = Point(104.82, 22.41, srid=4326)

    # A cooperative applies, is surveyed and approved; a second producer is still waiting.
    producer = services.producer_apply(
        by=staff,
        kind="cooperative",
        name=text("Tên HTX Cam sành Việt Quang"),
        tax_number=_tax_number("020000001"),
        address=text("Địa chỉ tổ 5, thị trấn Việt Quang"),
        commune=new_commune,
        location=coop_at,
        representative=text("Người đại diện"),
        phone="0912 345 678",
        email="htx-cam@example.test",
        description_vi=text("Giới thiệu HTX"),
        description_en=text("Giới thiệu HTX bằng tiếng Anh"),
    )
    services.certificate_add(
        by=staff,
        producer=producer,
        scheme="vietgap",
        number=text("Số chứng nhận"),
        issuer=text("Nơi cấp"),
        scope=text("Phạm vi chứng nhận"),
        valid_from=today - datetime.timedelta(days=100),
        document=SimpleUploadedFile("chung-nhan.png", _png(), content_type="image/png"),
    )
    area = services.production_area_add(
        by=staff,
        producer=producer,
        name=text("Tên vườn"),
        boundary=_square(104.80, 22.40, 0.01),
        note=text("Ghi chú vườn"),
    )
    services.producer_schedule_survey(by=official, producer=producer, scheduled_for=today, note=text("Ghi chú lịch"))
    services.producer_record_survey(
        by=official,
        producer=producer,
        surveyed_on=today,
        location=coop_at,
        identity_confirmed=True,
        certificates_genuine=True,
        areas_as_declared=True,
        gap_practice_seen=True,
        findings=text("Kết quả khảo sát"),
    )
    services.producer_approve(by=official, producer=producer, reason=text("Lý do duyệt"))
    producer.refresh_from_db()
    applicant = make_user("ho.che", roles.CONSUMER, first_name=text("Tên hộ chè"))
    waiting = services.producer_apply(
        by=applicant,
        kind="household",
        name=text("Tên hộ chè Phìn Hồ"),
        tax_number=_tax_number("020000201"),
        address=text("Địa chỉ thôn Phìn Hồ"),
        commune=new_commune,
        location=Point(104.78, 22.38, srid=4326),
        representative=text("Chủ hộ"),
        phone="0987 654 321",
        email="ho-che@example.test",
    )

    # A product with a photo and audio, a batch with its journey.
    product = services.product_create(
        by=staff,
        producer=producer,
        kind=kinds["orange"],
        name_vi=text("Tên sản phẩm"),
        name_en=text("Product name"),
        description_vi=text("Mô tả sản phẩm"),
        description_en=text("Product description"),
        net_quantity=Decimal("2.5"),  # stored as 2.500: pages must show 2,5 kg (vi), 2.5 kg (en)
        unit="box",  # sold by the box: "2 hộp" (vi), "2 boxes" (en)
        growing_region=region,
    )
    services.product_photo_add(
        by=staff, product=product, image=SimpleUploadedFile("cam.png", _png(), content_type="image/png")
    )
    batch = services.batch_create(
        by=staff,
        product=product,
        lot_code="CAM-2026-01",
        harvest_started_on=today - datetime.timedelta(days=12),
        quantity=Decimal(500),
        note=text("Ghi chú lô"),
    )
    services.batch_event_add(
        by=staff,
        batch=batch,
        event_type="packing",
        occurred_at=timezone.now() - datetime.timedelta(days=5),
        location=coop_at,
        actor=text("Người đóng gói"),
        note=text("Ghi chú đóng gói"),
    )

    # Shops: a retailer's verified supermarket carrying the product, authorised by the producer.
    shop = retail_point_create(
        user=users["retailer"],
        name=text("Tên siêu thị"),
        address=text("Địa chỉ siêu thị"),
        lat=22.405,
        lng=104.821,
        phone="0219 3820 123",
        product_kinds=["orange"],
    )
    shop = retail_point_verify(user=official, retail_point=shop)
    market.retail_stock_declare(by=users["retailer"], retail_point=shop, items=[(product, True)])
    market.retail_stock_authorise(by=staff, retail_point=shop, product=product)
    # The shop's days off (typed in the admin), and the batch's journey on to the shop.
    holiday = OpeningException(
        retail_point=shop, date=today + datetime.timedelta(days=3), note=text("Ghi chú ngày nghỉ")
    )
    holiday.full_clean()
    holiday.save()
    services.batch_event_add(
        by=staff,
        batch=batch,
        event_type="shipping",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
        location=coop_at,
        actor=text("Người vận chuyển"),
        note=text("Ghi chú vận chuyển"),
    )
    services.batch_event_add(
        by=staff,
        batch=batch,
        event_type="receiving",
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        retail_point=shop,
        actor=text("Người nhận hàng ở cửa hàng"),
        note=text("Ghi chú nhận hàng"),
    )

    # Selling online: terms, a listing, an order for pickup at the shop and one for home delivery.
    market.seller_profile_update(
        by=staff,
        producer=producer,
        delivery_areas=[new_commune],
        bank_bin="970436",
        bank_account="0123456789",
        bank_account_name="HTX CAM SANH VIET QUANG",
        delivery_fee_vnd=30_000,
    )
    listing = market.listing_create(by=staff, product=product, price_vnd=45_000, stock=80, pickup_points=[shop])
    orders, tokens = [], []
    for method, extra in (
        ("pickup", {"pickup_points": {producer.pk: shop}, "payment_method": "cod"}),
        (
            "home",
            {
                "commune": new_commune,
                "address": text("Địa chỉ nhận hàng"),
                "location": Point(104.83, 22.41, srid=4326),
                "payment_method": "transfer",
            },
        ),
    ):
        cart, _new = Cart.objects.get_or_create(owner=users["consumer"])
        market.cart_add(cart=cart, listing=listing, quantity=2)
        tokens.append(uuid.uuid4())
        result = market.checkout_place(
            cart=cart,
            buyer=users["consumer"],
            token=tokens[-1],
            contact_name=text("Tên người nhận"),
            phone="0987 000 111",
            email="mua@example.test",
            delivery_method=method,
            note=text("Ghi chú đơn hàng"),
            **extra,
        )
        orders.extend(result.orders)
    # A third order, cancelled by the producer with a reason the buyer reads.
    cart, _new = Cart.objects.get_or_create(owner=users["consumer"])
    market.cart_add(cart=cart, listing=listing, quantity=1)
    cancelled = market.checkout_place(
        cart=cart,
        buyer=users["consumer"],
        token=uuid.uuid4(),
        contact_name=text("Tên người nhận đơn huỷ"),
        phone="0987 000 111",
        email="mua@example.test",
        delivery_method="pickup",
        pickup_points={producer.pk: shop},
        payment_method="cod",
        note=text("Ghi chú đơn hàng huỷ"),
    ).orders[0]
    market.order_transition(by=staff, order=cancelled, action="cancel", reason=text("Lý do huỷ đơn"))
    cart, _new = Cart.objects.get_or_create(owner=users["consumer"])
    market.cart_add(cart=cart, listing=listing, quantity=1)

    # Stamps: a run issued, part activated onto the batch, scanned, confirmed, one revoked, one reported as fake.
    run = services.stamps_issue(by=official, producer=producer, quantity=6, product=product, note=text("Ghi chú đợt"))
    stamps = list(Stamp.objects.filter(run=run).order_by("number"))
    services.stamps_activate(by=staff, batch=batch, selection=Selection(first=stamps[0].serial, last=stamps[3].serial))
    for _repeat in range(2):
        services.scan_record(serial=stamps[0].serial, user_agent="Mozilla/5.0 (iPhone)")
    # A revoked code the public scans: a suspicion flag, and its case with the rule's evidence.
    services.stamps_revoke(
        by=official, selection=Selection(first=stamps[4].serial, last=stamps[4].serial), reason=text("Lý do thu hồi")
    )
    services.scan_record(serial=stamps[4].serial, user_agent="Mozilla/5.0 (Android)")
    report = services.report_create(
        serial=stamps[1].serial,
        note=text("Nội dung báo hàng giả"),
        place=text("Nơi thấy hàng giả"),
        shop=text("Cửa hàng bán hàng giả"),
    )
    services.stamps_revoke(
        by=official,
        selection=Selection(first=stamps[3].serial, last=stamps[3].serial),
        reason=text("Lý do thu hồi tem"),
    )
    reviewed = services.report_create(serial=stamps[4].serial, note=text("Nội dung báo hàng giả thứ hai"))
    services.report_review(by=official, report=reviewed, status="closed", note=text("Ghi chú của cán bộ về báo cáo"))
    oversight.cases_sync()
    case = Case.objects.filter(report=report).first()
    oversight.case_investigate(by=official, case=case, note=text("Ghi chú điều tra"))
    flag_case = Case.objects.filter(flag__stamp=stamps[4]).first()
    reviewed_case = Case.objects.filter(report=reviewed).first()  # closed with the review: its page shows the report
    finding = oversight.inspection_record(
        by=official, serial=stamps[2].serial, result="conform", note=text("Ghi chú kiểm tra"), retail_point=shop
    )
    services.producer_schedule_survey(by=official, producer=waiting, scheduled_for=today)
    # The journey corrected once its stamps are on products: a step corrected, one added by mistake and deleted.
    services.batch_event_update(
        by=staff,
        event=batch.events.get(event_type="packing"),
        note=text("Ghi chú đóng gói đã sửa"),
        reason=text("Lý do sửa bước hành trình"),
    )
    mistaken = services.batch_event_add(
        by=staff, batch=batch, event_type="inspecting", occurred_at=timezone.now() - datetime.timedelta(hours=20)
    )
    services.batch_event_delete(by=staff, event=mistaken, reason=text("Lý do xoá bước hành trình"))
    from backend.models import Job

    job = Job.objects.create(
        handler="tests.site_world",
        title=text("Tên công việc"),
        message=text("Thông báo công việc"),
        owner=official,
        status="succeeded",
    )

    return World(
        users=users,
        objects={
            "producer": producer,
            "waiting": waiting,
            "area": area,
            "certificate": producer.certificates.first(),
            "product": product,
            "photo": product.photos.first(),
            "batch": batch,
            "shop": shop,
            "listing": listing,
            "pickup_order": orders[0],
            "home_order": orders[1],
            "cancelled_order": cancelled,
            "checkout_token": tokens[0],
            "run": run,
            "stamps": stamps,
            "report": report,
            "case": case,
            "flag_case": flag_case,
            "reviewed_case": reviewed_case,
            "finding": finding,
            "job": job,
            "region": region,
        },
    )


def pages(world: World) -> dict[str, list[str]]:
    """Every HTML page each role can open (GET, status 200), with real records in the paths."""
    w = world
    stamp = w["stamps"][0]
    pickup, home = w["pickup_order"], w["home_order"]
    public = [
        "/",
        reverse("tracing:scan", args=[stamp.serial]),
        reverse("tracing:scan", args=[w["stamps"][5].serial]),  # issued, not yet activated
        reverse("tracing:scan", args=[w["stamps"][3].serial]),  # revoked
        reverse("tracing:guide_check"),
        reverse("tracing:guide_producer"),
        reverse("tracing:report"),
        reverse("tracing:producers"),
        reverse("tracing:producer", args=[w["producer"].pk]),
        reverse("tracing:product", args=[w["product"].pk]),
        reverse("tracing:batch", args=[w["batch"].pk]),
        reverse("geo:find_shop"),
        reverse("geo:find_shop") + "?product_kind=orange&lat=22.41&lng=104.82",
        reverse("geo:province_map"),
        reverse("marketplace:catalogue"),
        reverse("marketplace:listing", args=[w["listing"].pk]),
        reverse("marketplace:cart"),
        reverse("oversight:participants"),
        reverse("oversight:open_data"),
        reverse("oversight:widget"),
    ]
    from backend.account_emails import confirmation_token

    confirm = reverse("email-confirm", args=[confirmation_token(w.users["consumer"], "nguoi.mua.moi@example.test")])
    anonymous = [*public, reverse("login"), reverse("signup"), reverse("password_reset"), confirm]
    signed_in = [*public, reverse("password_change")]
    from backend.account_emails import confirmation_token

    # The link of the signup email, opened on the consumer's phone.
    confirm_email = reverse("email-confirm", args=[confirmation_token(w.users["consumer"], "moi@example.test")])
    consumer = [
        *signed_in,
        reverse("marketplace:checkout"),
        reverse("marketplace:my_orders"),
        reverse("marketplace:order_detail", args=[pickup.token]),
        reverse("marketplace:order_detail", args=[home.token]),
        reverse("marketplace:order_detail", args=[w["cancelled_order"].token]),
        reverse("marketplace:checkout_done", args=[w["checkout_token"]]),
        reverse("tracing:producer_apply"),
        confirm_email,
    ]
    producer = [
        *signed_in,
        reverse("tracing:my_producer"),
        reverse("tracing:producer_edit"),
        reverse("tracing:certificate_new"),
        reverse("tracing:certificate_edit", args=[w["certificate"].pk]),
        reverse("tracing:area_new"),
        reverse("tracing:area_edit", args=[w["area"].pk]),
        reverse("tracing:product_new"),
        reverse("tracing:product_edit", args=[w["product"].pk]),
        reverse("tracing:batch_new"),
        reverse("tracing:batch_manage", args=[w["batch"].pk]),
        reverse("tracing:batch_event_edit", args=[w["batch"].pk, w["batch"].events.first().pk]),
        reverse("tracing:batch_event_delete", args=[w["batch"].pk, w["batch"].events.first().pk]),
        reverse("tracing:stamps_home"),
        reverse("tracing:stamp_run", args=[w["run"].pk]),
        reverse("tracing:stamps_activate"),
        reverse("tracing:stamps_revoke"),
        reverse("marketplace:seller_home"),
        reverse("marketplace:listing_new"),
        reverse("marketplace:listing_edit", args=[w["listing"].pk]),
        reverse("marketplace:seller_settings"),
        reverse("marketplace:resellers"),
        reverse("marketplace:desk"),
        reverse("marketplace:desk_order", args=[pickup.pk]),
        reverse("marketplace:desk_order", args=[home.pk]),
        reverse("marketplace:desk_order", args=[w["cancelled_order"].pk]),
    ]
    retailer = [*signed_in, reverse("marketplace:retail_stock", args=[w["shop"].pk])]
    official = [
        *signed_in,
        reverse("tracing:stamps_home"),
        reverse("tracing:stamp_run_issue"),
        reverse("tracing:stamp_run", args=[w["run"].pk]),
        reverse("tracing:stamps_revoke"),
        reverse("oversight:home"),
        reverse("oversight:queue"),
        reverse("oversight:producer_file", args=[w["producer"].pk]),
        reverse("oversight:producer_file", args=[w["waiting"].pk]),
        reverse("oversight:record_survey", args=[w["waiting"].pk]),
        f"{reverse('oversight:cases')}?kind=flag&status=all",
        f"{reverse('oversight:cases')}?kind=report&status=all",
        reverse("oversight:map"),
        reverse("oversight:map_card", args=[w["producer"].pk]),
        reverse("oversight:monitoring"),
        reverse("oversight:checks"),
        reverse("oversight:settings"),
        reverse("oversight:cases"),
        reverse("oversight:case", args=[w["case"].pk]),
        reverse("oversight:case", args=[w["flag_case"].pk]),
        reverse("oversight:case", args=[w["reviewed_case"].pk]),
        reverse("oversight:inspect"),
        reverse("oversight:inspect_stamp", args=[stamp.serial]),
        reverse("oversight:inspect_stamp", args=[w["stamps"][3].serial]),  # revoked, with its reason
        reverse("oversight:finding", args=[w["finding"].pk]),
        reverse("oversight:evaluation"),
        reverse("oversight:audit"),
        reverse("job-detail", args=[w["job"].pk]),
    ]
    return {
        "anonymous": anonymous,
        "consumer": consumer,
        "producer": producer,
        "retailer": retailer,
        "official": official,
        "admin": [*signed_in, "/admin/", reverse("oversight:home")],
    }


#: Routes (by name) that are not pages a person reads, with the reason; every other route must be in pages().
NOT_PAGES = {
    # Files and data, not HTML pages.
    "healthz": "JSON health check",
    "tracing:scan_origin": "GeoJSON",
    "tracing:guide_poster": "PDF",
    "tracing:stamp_run_pins": "CSV download",
    "tracing:stamp_qr": "PNG/SVG image",
    "tracing:producers_geojson": "GeoJSON",
    "job-download": "file download",
    "marketplace:order_vietqr": "PNG image",
    "marketplace:desk_csv": "CSV download",
    "marketplace:desk_packing_all": "PDF",
    "marketplace:desk_packing": "PDF",
    "oversight:map_export_csv": "CSV download",
    "oversight:map_export_geojson": "GeoJSON",
    "oversight:open_data_csv": "CSV download",
    "oversight:open_data_json": "JSON download",
    "oversight:open_data_geojson": "GeoJSON",
    "api-schema": "OpenAPI document",
    "api-docs": "the API's Swagger page (drf-spectacular's; under the CSP in tests/browser/test_csp_pages.py)",
    # Actions: POST-only, or GET that redirects.
    "tracing:scan_confirm": "POST: confirm a PIN",
    "tracing:scan_locate": "POST: share a location",
    "tracing:digital_link": "redirects to or renders the scan page (covered by the scan page)",
    "tracing:certificate_delete": "POST-only action",
    "tracing:area_delete": "POST-only action",
    "tracing:product_audio_delete": "POST-only action",
    "tracing:product_photo_delete": "POST-only action",
    "tracing:producer_reapply": "POST-only action",
    "oversight:decide": "POST-only action",
    "oversight:schedule_survey": "POST-only action",
    "job-retry": "POST-only action",
    "oversight:change_decide": "POST-only action: accept or refuse a change waiting for review",
    # Old addresses of officials' pages that were tracing's: redirects to their one home in oversight.
    "oversight:moved_queue": "redirects to oversight:queue",
    "oversight:moved_producer_file": "redirects to oversight:producer_file",
    "oversight:moved_schedule_survey": "redirects to oversight:schedule_survey",
    "oversight:moved_record_survey": "redirects to oversight:record_survey",
    "oversight:moved_decide": "redirects to oversight:decide",
    "oversight:moved_change_decide": "redirects to oversight:change_decide",
    "oversight:moved_flags": "redirects to oversight:cases (suspicious stamps)",
    "oversight:moved_reports": "redirects to oversight:cases (counterfeit reports)",
    "tracing:producer_change_withdraw": "POST-only action",
    "gs1-compressed": "a compressed GS1 Digital Link, answered like the link it stands for (the scan page)",
    "tracing:gs1_resolver_description": "JSON: the resolver's description file",
    "set_language": "POST-only action",
    "logout": "POST-only action",
    "marketplace:cart_add": "POST-only action",
    "marketplace:order_cancel": "POST-only action",
    "marketplace:desk_stamps": "POST-only action",
    "marketplace:desk_action": "POST-only action",
    "oversight:case_assign": "POST-only action",
    "oversight:case_investigate": "POST-only action",
    "oversight:case_close": "POST-only action",
    # Steps of Django's password pages that need a one-time token or follow a POST.
    "password_change_done": "shown after a password change",
    "password_reset_done": "shown after a reset request",
    "password_reset_confirm": "needs a one-time token from an email",
    "password_reset_complete": "shown after a reset",
}


def route_names() -> set[str]:
    """Every named route of the site outside the admin and the API, as `namespace:name`."""
    from django.urls import URLPattern, URLResolver, get_resolver

    names: set[str] = set()

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                route = prefix + str(pattern.pattern)
                if route.startswith(("admin/", "api/v1/")):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def session_key(world: World, role: str) -> str | None:
    """A session signed in as the role's user (None for anonymous), holding what that person's own
    browser would hold: the consumer's session placed the world's checkout, so its "done" page opens."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from marketplace.views.shop import CHECKOUTS_SESSION_KEY

    if role == "anonymous":
        return None
    user = world.users[role]
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if role == "consumer":
        session[CHECKOUTS_SESSION_KEY] = [str(world["checkout_token"])]
    session.save()
    return session.session_key


def sign_in_client(client, world: World, role: str) -> None:
    """Sign the Django test client in as the role (a no-op for anonymous)."""
    from django.conf import settings

    key = session_key(world, role)
    if key:
        client.cookies[settings.SESSION_COOKIE_NAME] = key


def sign_in_browser(context, base_url: str, world: World, role: str) -> None:
    """Give a Playwright browser context the role's session cookie (a no-op for anonymous)."""
    from urllib.parse import urlsplit

    from django.conf import settings

    key = session_key(world, role)
    if key:
        host = urlsplit(base_url).hostname
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": key, "domain": host, "path": "/"}])
