"""The demo province as data: who takes part, where, what they grow and sell, and what happened.

Fictional organisations (every name ends in "(demo)") at real places of the former Hà Giang
province, in the real growing areas of fixtures/hagiang/ha_giang_specialty_regions.csv: oranges in
Bắc Quang, Quang Bình and Vị Xuyên; Shan tuyết tea in Hoàng Su Phì, Xín Mần, Vị Xuyên and Bắc Quang;
mint honey on the Đồng Văn plateau (Đồng Văn, Mèo Vạc, Yên Minh, Quản Bạ). Each producer names its
commune (a unit of the 2025 map) and a point; demo.geography checks by point-in-polygon that the
point lies in the old district that commune came from, so no address can drift to the wrong place.

Times are "days ago" (`days`) with a local hour, counted from the day the demo is seeded.

Well-behaved producers (A, C, E, G) stay clear of every cross-check. Three carry a realistic
anomaly each, for the officials' pages:
- B, a household orange garden of 0.1 ha, activates stamps for more oranges than it can grow;
- D, the tea enterprise, shipped a batch to Hà Nội three weeks ago and no shop recorded receiving it;
  one of its codes turns up, photocopied, on tea at a Hà Nội market (scanned far too often);
- F, a household honey business: one of its codes is scanned in Quản Bạ and, three hours later, in
  Thành phố Hồ Chí Minh, far from anywhere the batch went, and a buyer there reports it.
Two more organisations wait in the officials' queue (H applied; I has its survey scheduled).
The capacity check counts a calendar year: seeded in the first half of January, B's activations
fall in the year before, where the officials' check page (its year selector) finds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PASSWORD = "hagiang-demo-2026"  # noqa: S105 - printed on purpose for the local demo


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    first_name: str
    last_name: str = ""


@dataclass(frozen=True)
class Area:
    """A production area: a polygon `width_m` × `height_m` around (lat, lng), or a point with its capacity."""

    name: str
    lat: float
    lng: float
    width_m: float = 0
    height_m: float = 0
    yearly_kg: Decimal | None = None  # declared capacity, for an area known only by its point
    note: str = ""


@dataclass(frozen=True)
class Certificate:
    scheme: str
    number: str
    issuer: str
    valid_from_days: int  # days ago
    valid_for_days: int | None  # None: does not expire
    ocop_stars: int | None = None
    scope: str = ""


@dataclass(frozen=True)
class Product:
    key: str
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str
    unit: str
    net_quantity: Decimal
    net_unit: str
    gtin12: str  # 12 digits; the check digit is computed
    photos: tuple[str, ...]  # files in fixtures/demo/photos/
    audio: str  # file in fixtures/demo/audio/
    spoken_vi: str  # what the audio clip says (demo_media speaks it with espeak-ng)
    price_vnd: int
    listing_stock: int
    pickup_shops: tuple[str, ...] = ()
    home_delivery: bool = True
    max_per_order: int | None = 10
    season: tuple[int, int] | None = None  # (days ago the season opened, days until it closes)


@dataclass(frozen=True)
class Step:
    """A journey step: what, how many days after the harvest, at what local hour, at which shop."""

    event_type: str
    after_days: int
    hour: int
    shop: str = ""
    actor: str = ""
    note: str = ""


@dataclass(frozen=True)
class Batch:
    lot: str
    product: str
    harvest_days: int  # days ago
    quantity: Decimal
    area: str
    steps: tuple[Step, ...]
    unit: str = ""


@dataclass(frozen=True)
class Activation:
    lot: str
    count: int
    days: int  # days ago (after the batch was packed)


@dataclass(frozen=True)
class Run:
    """A stamp run: issued by the official, partly or fully activated, some stamps revoked."""

    note: str
    product: str | None
    quantity: int
    issued_days: int
    activations: tuple[Activation, ...] = ()
    take_pins: bool = True
    revoke: tuple[int, int, int, str, bool] | None = None  # (first no., last no., days ago, reason, by official)


@dataclass(frozen=True)
class Producer:
    key: str
    username: str
    staff_name: str
    kind: str  # enterprise, cooperative or household
    specialty: str  # the product kind it grows: orange, tea or honey
    name: str
    tax9: str  # the first nine digits of the tax number; the check digit is computed
    address: str
    commune: str  # its name on the 2025 map
    district_code: str  # the pre-2025 district (GSO code) the point must lie in
    lat: float
    lng: float
    representative: str
    phone: str
    description_vi: str
    description_en: str
    applied_days: int
    status: str = "approved"  # or "applied", "survey_scheduled"
    areas: tuple[Area, ...] = ()
    certificates: tuple[Certificate, ...] = ()
    products: tuple[Product, ...] = ()
    batches: tuple[Batch, ...] = ()
    runs: tuple[Run, ...] = ()
    bank: tuple[str, str, str] | None = None  # (BIN, account, holder)
    well_behaved: bool = True


OFFICIALS = (
    Account("official", "official", "Cán bộ Sở Công Thương"),
    Account("official-nn", "official", "Cán bộ Sở Nông nghiệp"),
)
RETAILERS = (
    Account("retailer", "retailer_staff", "Cửa hàng", "Hà Giang"),
    Account("retailer-hanoi", "retailer_staff", "Cửa hàng", "Hà Nội"),
    Account("retailer-bacquang", "retailer_staff", "Cửa hàng", "Bắc Quang"),
    Account("retailer-dongvan", "retailer_staff", "Cửa hàng", "Cao nguyên đá"),
)
CONSUMERS = (Account("consumer", "consumer", "Người tiêu dùng"),)
ADMINS = (Account("admin", "administrator", "Quản trị"),)

#: Shops (fixtures/demo_retail_points.json) and the retailer accounts that run them.
SHOP_STAFF = {
    "retailer": ("Siêu thị Nông sản Hà Giang (demo)", "Cửa hàng Trà Shan tuyết Hà Giang (demo)"),
    "retailer-hanoi": ("Cửa hàng Đặc sản Hà Giang – Hàng Bè (demo)", "Trà quán Shan tuyết Phố Cổ (demo)"),
    "retailer-bacquang": ("Cửa hàng Cam sành Bắc Quang (demo)", "Cửa hàng Nông sản Vĩnh Tuy (demo)"),
    "retailer-dongvan": ("Quầy Mật ong Phố cổ Đồng Văn (demo)", "Cửa hàng Cổng Trời Quản Bạ (demo)"),
}

HG_SUPERMARKET = "Siêu thị Nông sản Hà Giang (demo)"
HG_TEA_SHOP = "Cửa hàng Trà Shan tuyết Hà Giang (demo)"
HANOI_SHOP = "Cửa hàng Đặc sản Hà Giang – Hàng Bè (demo)"
HANOI_TEA = "Trà quán Shan tuyết Phố Cổ (demo)"
BQ_SHOP = "Cửa hàng Cam sành Bắc Quang (demo)"
VT_SHOP = "Cửa hàng Nông sản Vĩnh Tuy (demo)"
DV_STALL = "Quầy Mật ong Phố cổ Đồng Văn (demo)"
QB_SHOP = "Cửa hàng Cổng Trời Quản Bạ (demo)"

#: Which retailer stocks which products (by product key), and whether in stock now.
STOCK = {
    HG_SUPERMARKET: (("cam-hop-2kg", True), ("tra-phinho-100g", True), ("mat-ong-meovac-500ml", True)),
    HG_TEA_SHOP: (("tra-phinho-100g", True), ("bach-tra-50g", False), ("tra-xinman-200g", True)),
    HANOI_SHOP: (("cam-hop-2kg", True), ("mat-ong-meovac-500ml", True), ("hong-tra-vixuyen-200g", True)),
    HANOI_TEA: (("tra-phinho-100g", True), ("bach-tra-50g", True), ("tra-xinman-200g", False)),
    BQ_SHOP: (("cam-hop-2kg", True), ("cam-thung-10kg", True), ("cam-yenbinh-3kg", True)),
    VT_SHOP: (("cam-hop-2kg", True), ("cam-thung-10kg", False)),
    DV_STALL: (("mat-ong-meovac-500ml", True),),
    QB_SHOP: (("mat-ong-quanba-1l", True), ("mat-ong-meovac-500ml", False)),
}


def _orange_steps(shop: str, *, shipped: int = 2, received: int = 3) -> tuple[Step, ...]:
    return (
        Step("commissioning", 0, 7, actor="Tổ hái cam"),
        Step("packing", 1, 8, note="Phân loại, lau quả, đóng hộp tại nhà sơ chế."),
        Step("shipping", shipped, 6),
        Step("receiving", received, 15, shop=shop),
    )


def _tea_steps(shop: str, *, shipped: int = 4, received: int = 5) -> tuple[Step, ...]:
    return (
        Step("commissioning", 0, 6, actor="Tổ hái chè"),
        Step("transforming", 0, 14, note="Héo, vò, sao trên chảo gang."),
        Step("packing", 2, 9),
        Step("shipping", shipped, 7),
        Step("receiving", received, 16, shop=shop),
    )


def _honey_steps(shop: str, *, shipped: int = 5, received: int = 6) -> tuple[Step, ...]:
    return (
        Step("commissioning", 0, 8, actor="Tổ quay mật"),
        Step("transforming", 1, 9, note="Lọc, để lắng, hạ thuỷ phần dưới 20%."),
        Step("packing", 3, 10),
        Step("shipping", shipped, 7),
        Step("receiving", received, 14, shop=shop),
    )


ORANGE_GI = Certificate(
    "gi", "CDĐL-00124", "Cục Sở hữu trí tuệ (demo)", 2200, None, scope="Chỉ dẫn địa lý “Hà Giang” cho cam sành"
)

PRODUCERS: tuple[Producer, ...] = (
    Producer(
        key="A",
        username="producer",
        staff_name="Nguyễn Văn Thành",
        kind="cooperative",
        specialty="orange",
        name="HTX Cam sành Bắc Quang (demo)",
        tax9="510091001",
        address="Thôn Vĩnh Chính, xã Vĩnh Tuy, tỉnh Tuyên Quang",
        commune="Xã Vĩnh Tuy",
        district_code="034",
        lat=22.2820,
        lng=104.8800,
        representative="Nguyễn Văn Thành",
        phone="0912 000 111",
        description_vi="Hợp tác xã 42 hộ trồng cam sành theo VietGAP trên đồi ven sông Lô (dữ liệu minh hoạ).",
        description_en="42 households growing cam sành oranges under VietGAP by the Lô river (demo data).",
        applied_days=150,
        areas=(
            Area("Đồi cam Vĩnh Chính", 22.2880, 104.8740, 260, 200, note="Cam sành 8–12 năm tuổi, tưới nhỏ giọt."),
            Area("Vườn cam Khuổi Xoan", 22.2760, 104.8690, 200, 160),
        ),
        certificates=(
            Certificate("vietgap", "VietGAP-TT-18-01-0425", "Trung tâm Chứng nhận Phù hợp (demo)", 400, 1100),
            ORANGE_GI,
        ),
        products=(
            Product(
                key="cam-hop-2kg",
                name_vi="Cam sành Bắc Quang — hộp 2 kg",
                name_en="Bắc Quang cam sành oranges — 2 kg box",
                description_vi="Cam sành chín cây, hái tay, vỏ sần xanh vàng, ruột vàng cam, mọng nước, vị ngọt thanh.",
                description_en="Tree-ripened cam sành, hand-picked: rough green-gold skin, juicy deep-orange flesh.",
                unit="box",
                net_quantity=Decimal(2),
                net_unit="kg",
                gtin12="893850000002",
                photos=("oranges-still-life.jpg", "orange-gift-box.jpg"),
                audio="cam-hop-2kg.mp3",
                spoken_vi=(
                    "Cam sành Bắc Quang của hợp tác xã Vĩnh Tuy. Cam chín cây, hái tay, vỏ sần, ruột vàng cam, "
                    "vị ngọt thanh. Quét tem để xem vườn cam và hành trình của lô hàng."
                ),
                price_vnd=180_000,
                listing_stock=120,
                pickup_shops=(HG_SUPERMARKET, BQ_SHOP, HANOI_SHOP),
            ),
            Product(
                key="cam-thung-10kg",
                name_vi="Cam sành loại 1 — thùng 10 kg",
                name_en="Grade 1 cam sành oranges — 10 kg carton",
                description_vi="Quả đều cỡ 200–250 g, thùng carton có lót, hợp cho gia đình và quán nước ép.",
                description_en="Even 200–250 g fruit in a lined carton, for families and juice bars.",
                unit="box",
                net_quantity=Decimal(10),
                net_unit="kg",
                gtin12="893850000003",
                photos=("oranges-basket.jpg",),
                audio="cam-thung-10kg.mp3",
                spoken_vi="Cam sành loại một, thùng mười ki lô gam, quả đều, mọng nước, hái tại vườn Vĩnh Tuy.",
                price_vnd=750_000,
                listing_stock=25,
                pickup_shops=(BQ_SHOP,),
                max_per_order=3,
            ),
        ),
        batches=(
            Batch("CAM-01", "cam-hop-2kg", 64, Decimal(150), "Đồi cam Vĩnh Chính", _orange_steps(HANOI_SHOP)),
            Batch("CAM-02", "cam-hop-2kg", 30, Decimal(120), "Đồi cam Vĩnh Chính", _orange_steps(HG_SUPERMARKET)),
            Batch(
                "CAM-03",
                "cam-thung-10kg",
                22,
                Decimal(60),
                "Vườn cam Khuổi Xoan",
                _orange_steps(BQ_SHOP, shipped=2, received=2),
            ),
        ),
        runs=(
            Run(
                "Đợt 1 — cam hộp 2 kg",
                "cam-hop-2kg",
                240,
                80,
                (Activation("CAM-01", 100, 62), Activation("CAM-02", 100, 28)),
                revoke=(201, 203, 27, "Tem bị rách khi dán lên hộp.", False),
            ),
            Run("Đợt 2 — cam thùng 10 kg", "cam-thung-10kg", 50, 40, (Activation("CAM-03", 50, 20),)),
            Run("Đợt 3 — dự phòng", None, 100, 4, take_pins=False),
        ),
        bank=("970436", "0011000123456", "HTX CAM SANH BAC QUANG"),
    ),
    Producer(
        key="B",
        username="cam-yenbinh",
        staff_name="Hoàng Thị Lan",
        kind="household",
        specialty="orange",
        name="Hộ kinh doanh Cam Yên Bình (demo)",
        tax9="510091002",
        address="Tổ 3, xã Quang Bình, tỉnh Tuyên Quang",
        commune="Xã Quang Bình",
        district_code="035",
        lat=22.4030,
        lng=104.5870,
        representative="Hoàng Thị Lan",
        phone="0968 222 333",
        description_vi="Hộ gia đình trồng cam sành trên vườn đồi sau nhà (dữ liệu minh hoạ).",
        description_en="A family growing cam sành on the slope behind their house (demo data).",
        applied_days=140,
        areas=(Area("Vườn cam sau nhà", 22.4060, 104.5890, 40, 25, note="Khoảng 60 cây cam sành."),),
        certificates=(
            Certificate("vietgap", "VietGAP-TT-18-01-0633", "Trung tâm Chứng nhận Phù hợp (demo)", 300, 800),
        ),
        products=(
            Product(
                key="cam-yenbinh-3kg",
                name_vi="Cam sành Quang Bình — túi lưới 3 kg",
                name_en="Quang Bình cam sành oranges — 3 kg net bag",
                description_vi="Cam sành vườn nhà, đóng túi lưới 3 kg.",
                description_en="Home-garden cam sành in a 3 kg net bag.",
                unit="pack",
                net_quantity=Decimal(3),
                net_unit="kg",
                gtin12="893850000010",
                photos=("oranges-basket.jpg",),
                audio="cam-yenbinh-3kg.mp3",
                spoken_vi="Cam sành Quang Bình, túi lưới ba ki lô gam, cam vườn nhà hái mỗi sáng.",
                price_vnd=150_000,
                listing_stock=40,
                pickup_shops=(BQ_SHOP,),
            ),
        ),
        batches=(
            Batch(
                "YB-01",
                "cam-yenbinh-3kg",
                18,
                Decimal(720),
                "Vườn cam sau nhà",
                (
                    Step("commissioning", 0, 7),
                    Step("packing", 1, 9),
                    Step("shipping", 2, 6),
                    Step("receiving", 2, 13, shop=BQ_SHOP),
                ),
            ),
        ),
        runs=(
            Run(
                "Đợt 1 — cam túi 3 kg",
                "cam-yenbinh-3kg",
                720,
                30,
                (Activation("YB-01", 700, 15),),
                revoke=(651, 700, 6, "Thu hồi chờ xác minh sản lượng vườn (đối chiếu diện tích).", True),
            ),
        ),
        well_behaved=False,
    ),
    Producer(
        key="C",
        username="che-phinho",
        staff_name="Lý Văn Sần",
        kind="cooperative",
        specialty="tea",
        name="HTX Chè Shan tuyết Phìn Hồ (demo)",
        tax9="510091003",
        address="Thôn Phìn Hồ, xã Thông Nguyên, tỉnh Tuyên Quang",
        commune="Xã Thông Nguyên",
        district_code="032",
        lat=22.6550,
        lng=104.7150,
        representative="Lý Văn Sần",
        phone="0915 444 555",
        description_vi="Người Dao đỏ hái chè Shan tuyết cổ thụ trăm năm tuổi, chế biến thủ công (dữ liệu minh hoạ).",
        description_en="Red Dao families picking century-old Shan tuyết tea trees, processed by hand (demo data).",
        applied_days=145,
        areas=(
            Area("Rừng chè cổ thụ Phìn Hồ", 22.6640, 104.7230, 180, 140, note="Khoảng 1.200 cây chè cổ thụ."),
            Area("Đồi chè Nậm Khòa", 22.6480, 104.7080, 140, 110),
        ),
        certificates=(
            Certificate("organic", "TCVN11041-HG-0087", "Tổ chức Chứng nhận Hữu cơ (demo)", 500, 600),
            Certificate("ocop", "OCOP-HG-2024-031", "UBND tỉnh Hà Giang (demo)", 700, 1400, ocop_stars=4),
        ),
        products=(
            Product(
                key="tra-phinho-100g",
                name_vi="Trà Shan tuyết cổ thụ Phìn Hồ — hộp 100 g",
                name_en="Phìn Hồ ancient Shan tuyết tea — 100 g box",
                description_vi="Búp chè phủ lông tơ trắng như tuyết, sao tay; nước vàng sánh, hậu ngọt.",
                description_en="Buds covered in white down like snow, pan-fired by hand; golden liquor, sweet finish.",
                unit="box",
                net_quantity=Decimal(100),
                net_unit="g",
                gtin12="893850000020",
                photos=("tea-cup.jpg", "tea-packages.jpg"),
                audio="tra-phinho-100g.mp3",
                spoken_vi=(
                    "Trà Shan tuyết cổ thụ Phìn Hồ. Búp chè phủ lông tơ trắng như tuyết, sao tay trên chảo gang. "
                    "Nước vàng sánh, hậu ngọt."
                ),
                price_vnd=250_000,
                listing_stock=60,
                pickup_shops=(HG_TEA_SHOP, HANOI_TEA),
            ),
            Product(
                key="bach-tra-50g",
                name_vi="Bạch trà Shan tuyết — túi 50 g",
                name_en="Shan tuyết white tea — 50 g pouch",
                description_vi="Chỉ hái búp non, phơi héo tự nhiên; vụ xuân, số lượng ít.",
                description_en="Young buds only, withered in the open air; a small spring harvest.",
                unit="pack",
                net_quantity=Decimal(50),
                net_unit="g",
                gtin12="893850000021",
                photos=("tea-packages.jpg",),
                audio="bach-tra-50g.mp3",
                spoken_vi="Bạch trà Shan tuyết, chỉ hái búp non, phơi héo tự nhiên, vụ xuân số lượng ít.",
                price_vnd=320_000,
                listing_stock=0,
                pickup_shops=(HANOI_TEA,),
                max_per_order=4,
            ),
        ),
        batches=(
            Batch(
                "PH-01", "tra-phinho-100g", 58, Decimal(8), "Rừng chè cổ thụ Phìn Hồ", _tea_steps(HANOI_TEA), unit="kg"
            ),
            Batch(
                "PH-02",
                "tra-phinho-100g",
                26,
                Decimal(8),
                "Rừng chè cổ thụ Phìn Hồ",
                _tea_steps(HG_TEA_SHOP),
                unit="kg",
            ),
            Batch("BT-01", "bach-tra-50g", 40, Decimal(3), "Đồi chè Nậm Khòa", _tea_steps(HANOI_TEA), unit="kg"),
        ),
        runs=(
            Run(
                "Đợt 1 — trà hộp 100 g",
                "tra-phinho-100g",
                150,
                70,
                (Activation("PH-01", 75, 53), Activation("PH-02", 75, 22)),
            ),
            Run("Đợt 2 — bạch trà 50 g", "bach-tra-50g", 100, 45, (Activation("BT-01", 60, 36),)),
        ),
        bank=("970405", "8800205123456", "HTX CHE SHAN TUYET PHIN HO"),
    ),
    Producer(
        key="D",
        username="tra-vixuyen",
        staff_name="Trần Minh Đức",
        kind="enterprise",
        specialty="tea",
        name="Công ty Cổ phần Trà Vị Xuyên (demo)",
        tax9="510091004",
        address="Tổ 7, xã Vị Xuyên, tỉnh Tuyên Quang",
        commune="Xã Vị Xuyên",
        district_code="030",
        lat=22.6760,
        lng=104.9740,
        representative="Trần Minh Đức",
        phone="0219 3826 789",
        description_vi="Nhà máy chế biến hồng trà và lục trà Shan tuyết, thu mua của 300 hộ (dữ liệu minh hoạ).",
        description_en="A factory making Shan tuyết black and green tea from 300 growers' leaf (demo data).",
        applied_days=135,
        areas=(Area("Đồi chè Đạo Đức", 22.6950, 104.9600, 400, 200, note="Vùng nguyên liệu liên kết."),),
        certificates=(
            Certificate("vietgap", "VietGAP-TT-18-02-0190", "Trung tâm Chứng nhận Phù hợp (demo)", 380, 1000),
        ),
        products=(
            Product(
                key="hong-tra-vixuyen-200g",
                name_vi="Hồng trà Shan tuyết Vị Xuyên — hộp 200 g",
                name_en="Vị Xuyên Shan tuyết black tea — 200 g box",
                description_vi="Lên men hoàn toàn, nước đỏ nâu, hương mật ong; hợp pha ấm hoặc pha lạnh.",
                description_en="Fully oxidised: red-brown liquor with a honeyed scent; brew hot or cold.",
                unit="box",
                net_quantity=Decimal(200),
                net_unit="g",
                gtin12="893850000030",
                photos=("tea-packages.jpg",),
                audio="hong-tra-vixuyen-200g.mp3",
                spoken_vi="Hồng trà Shan tuyết Vị Xuyên, lên men hoàn toàn, nước đỏ nâu, hương mật ong.",
                price_vnd=210_000,
                listing_stock=80,
                pickup_shops=(HANOI_SHOP,),
            ),
        ),
        batches=(
            Batch(
                "HT-01",
                "hong-tra-vixuyen-200g",
                50,
                Decimal(40),
                "Đồi chè Đạo Đức",
                (
                    Step("commissioning", 0, 6),
                    Step("transforming", 1, 10, note="Héo, vò, lên men 4 giờ, sấy."),
                    Step("inspecting", 2, 9, note="Kiểm tra độ ẩm dưới 5%."),
                    Step("packing", 3, 8),
                    Step("shipping", 4, 6),
                    Step("receiving", 5, 15, shop=HANOI_SHOP),
                ),
                unit="kg",
            ),
            Batch(
                "HT-02",
                "hong-tra-vixuyen-200g",
                27,
                Decimal(30),
                "Đồi chè Đạo Đức",
                (
                    Step("commissioning", 0, 6),
                    Step("transforming", 1, 10),
                    Step("packing", 3, 8),
                    Step("shipping", 5, 6, actor="Nhà xe Hà Giang – Hà Nội", note="Gửi đại lý ở Hà Nội."),
                ),
                unit="kg",
            ),
        ),
        runs=(
            Run(
                "Đợt 1 — hồng trà 200 g",
                "hong-tra-vixuyen-200g",
                300,
                60,
                (Activation("HT-01", 150, 46), Activation("HT-02", 100, 23)),
            ),
        ),
        bank=("970418", "2151000567890", "CONG TY CP TRA VI XUYEN"),
        well_behaved=False,
    ),
    Producer(
        key="E",
        username="mat-ong-meovac",
        staff_name="Sùng Mí Chá",
        kind="cooperative",
        specialty="honey",
        name="HTX Mật ong bạc hà Mèo Vạc (demo)",
        tax9="510091005",
        address="Tổ 2, xã Mèo Vạc, tỉnh Tuyên Quang",
        commune="Xã Mèo Vạc",
        district_code="027",
        lat=23.1570,
        lng=105.4030,
        representative="Sùng Mí Chá",
        phone="0984 666 777",
        description_vi="38 hộ người Mông nuôi ong nội trên cao nguyên đá, quay mật mùa hoa bạc hà (dữ liệu minh hoạ).",
        description_en="38 Hmong households keeping native bees on the karst plateau: mint-bloom honey (demo data).",
        applied_days=130,
        areas=(
            Area("Đàn ong Sủng Pờ", 23.1650, 105.3950, yearly_kg=Decimal(1500), note="120 đàn ong nội."),
            Area("Đàn ong Pả Vi", 23.1810, 105.4120, yearly_kg=Decimal(900), note="70 đàn ong nội."),
        ),
        certificates=(
            Certificate(
                "gi",
                "CDĐL-00035",
                "Cục Sở hữu trí tuệ (demo)",
                3000,
                None,
                scope="Chỉ dẫn địa lý “Mèo Vạc” cho mật ong bạc hà",
            ),
            Certificate("ocop", "OCOP-HG-2023-012", "UBND tỉnh Hà Giang (demo)", 900, 1200, ocop_stars=4),
        ),
        products=(
            Product(
                key="mat-ong-meovac-500ml",
                name_vi="Mật ong bạc hà Mèo Vạc — chai 500 ml",
                name_en="Mèo Vạc mint honey — 500 ml bottle",
                description_vi="Mật ong từ hoa bạc hà dại, màu vàng hổ phách, thơm mát, vị ngọt dịu.",
                description_en="From wild mint flowers: amber, fresh-scented, mildly sweet.",
                unit="jar",
                net_quantity=Decimal(500),
                net_unit="ml",
                gtin12="893850000040",
                photos=("honey-jar.jpg", "honey-hives.jpg"),
                audio="mat-ong-meovac-500ml.mp3",
                spoken_vi=(
                    "Mật ong bạc hà Mèo Vạc, từ hoa bạc hà dại trên cao nguyên đá. Màu vàng hổ phách, thơm mát, "
                    "vị ngọt dịu."
                ),
                price_vnd=350_000,
                listing_stock=50,
                pickup_shops=(HG_SUPERMARKET, DV_STALL),
                season=(75, 200),
            ),
        ),
        batches=(
            Batch("MV-01", "mat-ong-meovac-500ml", 48, Decimal(120), "Đàn ong Sủng Pờ", _honey_steps(HG_SUPERMARKET)),
            Batch(
                "MV-02",
                "mat-ong-meovac-500ml",
                20,
                Decimal(100),
                "Đàn ong Pả Vi",
                _honey_steps(DV_STALL, shipped=4, received=4),
            ),
        ),
        runs=(
            Run(
                "Đợt 1 — mật ong 500 ml",
                "mat-ong-meovac-500ml",
                200,
                55,
                (Activation("MV-01", 100, 43), Activation("MV-02", 60, 15)),
            ),
        ),
        bank=("970405", "8802205987654", "HTX MAT ONG BAC HA MEO VAC"),
    ),
    Producer(
        key="F",
        username="mat-ong-quanba",
        staff_name="Vàng Thị Mỷ",
        kind="household",
        specialty="honey",
        name="Hộ kinh doanh Mật ong Quản Bạ (demo)",
        tax9="510091006",
        address="Thôn Nặm Đăm, xã Quản Bạ, tỉnh Tuyên Quang",
        commune="Xã Quản Bạ",
        district_code="029",
        lat=23.0630,
        lng=104.9820,
        representative="Vàng Thị Mỷ",
        phone="0886 888 999",
        description_vi="Hộ nuôi 40 đàn ong dưới chân núi Cô Tiên (dữ liệu minh hoạ).",
        description_en="A family keeping 40 colonies below Cô Tiên mountain (demo data).",
        applied_days=120,
        areas=(Area("Đàn ong Nặm Đăm", 23.0700, 104.9760, yearly_kg=Decimal(600), note="40 đàn ong nội."),),
        products=(
            Product(
                key="mat-ong-quanba-1l",
                name_vi="Mật ong bạc hà Quản Bạ — chai 1 lít",
                name_en="Quản Bạ mint honey — 1 litre bottle",
                description_vi="Mật ong bạc hà quay tại nhà, chai thuỷ tinh 1 lít.",
                description_en="Mint honey extracted at home, in a 1 litre glass bottle.",
                unit="jar",
                net_quantity=Decimal(1),
                net_unit="l",
                gtin12="893850000050",
                photos=("honey-hives.jpg",),
                audio="mat-ong-quanba-1l.mp3",
                spoken_vi="Mật ong bạc hà Quản Bạ, chai một lít, quay tại nhà dưới chân núi Cô Tiên.",
                price_vnd=600_000,
                listing_stock=12,
                pickup_shops=(QB_SHOP,),
                home_delivery=False,
                max_per_order=2,
            ),
        ),
        batches=(
            Batch(
                "QB-01",
                "mat-ong-quanba-1l",
                36,
                Decimal(60),
                "Đàn ong Nặm Đăm",
                _honey_steps(QB_SHOP, shipped=4, received=4),
            ),
        ),
        runs=(Run("Đợt 1 — mật ong 1 lít", "mat-ong-quanba-1l", 60, 40, (Activation("QB-01", 40, 31),)),),
        well_behaved=False,
    ),
    Producer(
        key="G",
        username="che-xinman",
        staff_name="Hoàng Văn Pao",
        kind="cooperative",
        specialty="tea",
        name="HTX Chè Xín Mần (demo)",
        tax9="510091007",
        address="Thôn Cốc Pài, xã Xín Mần, tỉnh Tuyên Quang",
        commune="Xã Xín Mần",
        district_code="033",
        lat=22.6600,
        lng=104.4900,
        representative="Hoàng Văn Pao",
        phone="0977 123 456",
        description_vi="Hợp tác xã người Nùng làm lục trà Shan tuyết trên núi cao 1.200 m (dữ liệu minh hoạ).",
        description_en="A Nùng cooperative making Shan tuyết green tea at 1,200 m (demo data).",
        applied_days=125,
        areas=(Area("Đồi chè Cốc Pài", 22.6660, 104.4840, 200, 150),),
        certificates=(
            Certificate("vietgap", "VietGAP-TT-18-02-0377", "Trung tâm Chứng nhận Phù hợp (demo)", 350, 380),
        ),
        products=(
            Product(
                key="tra-xinman-200g",
                name_vi="Lục trà Shan tuyết Xín Mần — túi 200 g",
                name_en="Xín Mần Shan tuyết green tea — 200 g pouch",
                description_vi="Lục trà sao sấy trong ngày, cánh xoăn, nước xanh vàng, chát dịu.",
                description_en="Green tea fired the day it is picked: curled leaf, green-gold liquor, gentle bite.",
                unit="pack",
                net_quantity=Decimal(200),
                net_unit="g",
                gtin12="893850000060",
                photos=("tea-cup.jpg",),
                audio="tra-xinman-200g.mp3",
                spoken_vi="Lục trà Shan tuyết Xín Mần, sao sấy trong ngày, nước xanh vàng, chát dịu.",
                price_vnd=160_000,
                listing_stock=45,
                pickup_shops=(HG_TEA_SHOP,),
            ),
        ),
        batches=(
            Batch("XM-01", "tra-xinman-200g", 34, Decimal(16), "Đồi chè Cốc Pài", _tea_steps(HG_TEA_SHOP), unit="kg"),
        ),
        runs=(Run("Đợt 1 — lục trà 200 g", "tra-xinman-200g", 80, 40, (Activation("XM-01", 80, 28),)),),
        bank=("970422", "0561000456789", "HTX CHE XIN MAN"),
    ),
    Producer(
        key="H",
        username="mat-ong-lungphin",
        staff_name="Giàng Seo Phử",
        kind="cooperative",
        specialty="honey",
        name="HTX Mật ong Lũng Phìn (demo)",
        tax9="510091010",
        address="Thôn Lũng Phìn, xã Lũng Phìn, tỉnh Tuyên Quang",
        commune="Xã Lũng Phìn",
        district_code="026",
        lat=23.2100,
        lng=105.2300,
        representative="Giàng Seo Phử",
        phone="0359 321 654",
        description_vi="Hợp tác xã mới thành lập, xin tham gia chương trình tem truy xuất (dữ liệu minh hoạ).",
        description_en="A newly founded cooperative applying to join the stamp programme (demo data).",
        applied_days=3,
        status="applied",
        areas=(Area("Đàn ong Lũng Phìn", 23.2150, 105.2250, yearly_kg=Decimal(400)),),
    ),
    Producer(
        key="I",
        username="cam-hungan",
        staff_name="Đặng Văn Hải",
        kind="household",
        specialty="orange",
        name="Hộ kinh doanh Cam Hùng An (demo)",
        tax9="510091009",
        address="Thôn Hạ, xã Hùng An, tỉnh Tuyên Quang",
        commune="Xã Hùng An",
        district_code="034",
        lat=22.4700,
        lng=104.8400,
        representative="Đặng Văn Hải",
        phone="0394 111 222",
        description_vi="Hộ trồng cam sành xin tham gia, chờ đoàn khảo sát (dữ liệu minh hoạ).",
        description_en="An orange-growing household waiting for the field survey (demo data).",
        applied_days=9,
        status="survey_scheduled",
        areas=(Area("Vườn cam Thôn Hạ", 22.4740, 104.8360, 120, 90),),
    ),
)

ACCOUNTS = (
    *OFFICIALS,
    *(Account(p.username, "producer_staff", p.staff_name) for p in PRODUCERS),
    *RETAILERS,
    *CONSUMERS,
    *ADMINS,
)


def producer(key: str) -> Producer:
    return next(p for p in PRODUCERS if p.key == key)


def product(key: str) -> Product:
    return next(x for p in PRODUCERS for x in p.products if x.key == key)


@dataclass(frozen=True)
class Order:
    """An order in the marketplace: who, what (product key × quantity), how, and how far it went."""

    key: str
    days: float  # days ago it was placed
    lines: tuple[tuple[str, int], ...]
    contact_name: str
    phone: str
    delivery: str  # "home" or "pickup"
    payment: str  # "cod" or "transfer"
    history: tuple[tuple[str, float], ...] = ()  # (action, days ago): confirm, mark_paid, ship, ready, complete, …
    buyer: str | None = None  # an account, else a guest with `email`
    email: str = ""
    commune: str = ""
    address: str = ""
    pickup: str = ""
    stamps: int = 0  # units whose stamp serials the producer records when it ships
    reason: str = ""  # why it was cancelled
    cancelled_by_buyer: bool = False
    note: str = ""


ORDERS: tuple[Order, ...] = (
    Order(
        "o1",
        38,
        (("cam-hop-2kg", 2),),
        "Nguyễn Thu Hà",
        "0912 345 678",
        "home",
        "cod",
        (("confirm", 37.9), ("ship", 37), ("complete", 35)),
        buyer="consumer",
        commune="Phường Hà Giang 1",
        address="Số 12 đường Nguyễn Thái Học",
        stamps=2,
    ),
    Order(
        "o2",
        21,
        (("tra-phinho-100g", 3),),
        "Nguyễn Thu Hà",
        "0912 345 678",
        "pickup",
        "transfer",
        (("mark_paid", 20.8), ("confirm", 20.7), ("ready", 19), ("complete", 17)),
        buyer="consumer",
        pickup=HANOI_TEA,
    ),
    Order(
        "o3",
        4,
        (("mat-ong-meovac-500ml", 2),),
        "Trần Thị Mai",
        "0983 456 789",
        "home",
        "cod",
        (("confirm", 3.8), ("ship", 3)),
        email="mai.tran@example.com",
        commune="Xã Bắc Quang",
        address="Tổ 6, thị trấn Việt Quang cũ",
        stamps=2,
    ),
    Order(
        "o4",
        10,
        (("cam-thung-10kg", 1),),
        "Lê Văn Nam",
        "0904 111 222",
        "home",
        "transfer",
        (("expire", 8.9),),
        email="nam.le@example.com",
        commune="Xã Vị Xuyên",
        address="Tổ 2, thị trấn Vị Xuyên cũ",
    ),
    Order(
        "o5",
        0.2,
        (("tra-xinman-200g", 2),),
        "Phạm Quốc Bảo",
        "0936 777 888",
        "pickup",
        "cod",
        email="bao.pham@example.com",
        pickup=HG_TEA_SHOP,
        note="Tôi đến lấy sau 17 giờ.",
    ),
    Order(
        "o6",
        2,
        (("mat-ong-meovac-500ml", 1), ("tra-phinho-100g", 1)),
        "Nguyễn Thu Hà",
        "0912 345 678",
        "home",
        "transfer",
        (("mark_paid", 1.9), ("confirm", 1.8)),
        buyer="consumer",
        commune="Phường Hà Giang 1",
        address="Số 12 đường Nguyễn Thái Học",
    ),
    Order(
        "o7",
        15,
        (("cam-hop-2kg", 1),),
        "Vũ Đức Anh",
        "0977 000 555",
        "pickup",
        "cod",
        (("cancel", 14.8),),
        email="anh.vu@example.com",
        pickup=HG_SUPERMARKET,
        reason="Tôi đặt nhầm, xin huỷ.",
        cancelled_by_buyer=True,
    ),
    Order(
        "o8",
        12,
        (("hong-tra-vixuyen-200g", 4),),
        "Đỗ Thị Hương",
        "0945 222 111",
        "home",
        "cod",
        (("cancel", 11.5),),
        email="huong.do@example.com",
        commune="Phường Hà Giang 2",
        address="Số 8 đường Trần Phú",
        reason="Khách không nghe máy để xác nhận địa chỉ.",
    ),
    Order(
        "o9",
        3,
        (("cam-hop-2kg", 3),),
        "Bùi Văn Long",
        "0917 333 444",
        "pickup",
        "transfer",
        (("mark_paid", 2.9), ("confirm", 2.8), ("ready", 1)),
        email="long.bui@example.com",
        pickup=HG_SUPERMARKET,
    ),
    Order(
        "o10",
        18,
        (("hong-tra-vixuyen-200g", 2),),
        "Ngô Minh Tuấn",
        "0988 999 000",
        "pickup",
        "cod",
        (("confirm", 17.8), ("ready", 16), ("complete", 15)),
        email="tuan.ngo@example.com",
        pickup=HANOI_SHOP,
    ),
    Order(
        "o11",
        0.6,
        (("cam-hop-2kg", 2), ("cam-thung-10kg", 1)),
        "Hà Thị Yến",
        "0965 432 100",
        "home",
        "transfer",
        email="yen.ha@example.com",
        commune="Xã Vĩnh Tuy",
        address="Thôn Vĩnh Sơn",
    ),
)
