"""Growing regions of the three specialties, sketched around the real communes that grow them."""

from dataclasses import dataclass

from geo import approximations
from geo.loading import sources
from geo.loading.units import Units
from geo.loading.upsert import LoadReport, Rows, sync_relation, upsert
from geo.models import AdminUnit, GrowingRegion, ProductKind

NOT_A_SCOPE = "(not a protection scope)"


@dataclass(frozen=True)
class RegionText:
    product: str  # as written in ha_giang_specialty_regions.csv
    name: str
    name_en: str
    elevation_min_m: int | None
    elevation_max_m: int | None
    description_vi: str
    description_en: str


REGIONS = {
    "orange": RegionText(
        product="Cam sành",
        name="Vùng cam sành Hà Giang",
        name_en="Hà Giang cam sành orange area",
        elevation_min_m=None,
        elevation_max_m=None,
        description_vi=(
            "Cam sành Hà Giang được bảo hộ chỉ dẫn địa lý “Hà Giang”. Vùng chỉ dẫn địa lý gồm {communes} "
            "xã, thị trấn thuộc {districts} cũ (nay thuộc tỉnh Tuyên Quang); Tiên Kiều, Việt Hồng "
            "và Vĩnh Hảo được báo chí nêu là những xã trồng nhiều cam, năng suất cao nhất. Ranh giới trên "
            "bản đồ là phác thảo gần đúng, vẽ quanh các xã thật: hợp các vùng gần đúng của những huyện "
            "này, nên rộng hơn vùng được bảo hộ."
        ),
        description_en=(
            "Hà Giang's cam sành orange is protected by the geographical indication “Hà Giang”. The GI "
            "area covers {communes} communes and townships of the former districts of {districts_en} (now "
            "in Tuyên Quang province); news reports name Tiên Kiều, Việt Hồng and Vĩnh Hảo among the "
            "communes with the most orchards and the highest yields. The outline on the map is an "
            "approximation drawn around those real communes: the union of the approximate areas of "
            "these districts, so it is larger than the protected area."
        ),
    ),
    "tea": RegionText(
        product="Chè Shan tuyết",
        name="Vùng chè Shan tuyết Hà Giang",
        name_en="Hà Giang Shan tuyết tea area",
        elevation_min_m=800,
        elevation_max_m=2000,
        description_vi=(
            "Chè Shan tuyết Hà Giang được bảo hộ chỉ dẫn địa lý “Hà Giang” số 00069. Theo báo chí, vùng "
            "chỉ dẫn địa lý gồm 44 xã của 5 huyện và 1 thành phố: {districts} (danh sách xã chưa tìm "
            "được). Những quần thể chè cổ thụ được nhắc đến nhiều là Cao Bồ, Phương Tiến (núi Tây Côn "
            "Lĩnh), Phìn Hồ (Thông Nguyên), Hồ Thầu và Nậm Tỵ; chè cổ thụ mọc chủ yếu ở độ cao khoảng "
            "800–2.000 m. Lũng Phìn (Đồng Văn) cũng có chè cổ trên 1.600 m nhưng nằm ngoài vùng chỉ dẫn "
            "địa lý. Ranh giới trên bản đồ là phác thảo gần đúng: hợp các vùng gần đúng của những huyện "
            "này."
        ),
        description_en=(
            "Hà Giang's Shan tuyết tea is protected by the geographical indication “Hà Giang” no. 00069. "
            "News reports say the GI covers 44 communes of five districts and one city: {districts_en} "
            "(the commune list could not be found). Well-known ancient-tree areas are Cao Bồ, Phương "
            "Tiến (Tây Côn Lĩnh mountain), Phìn Hồ (Thông Nguyên), Hồ Thầu and Nậm Tỵ; the ancient trees "
            "grow mostly at about 800–2,000 m. Lũng Phìn (Đồng Văn) also has ancient tea above 1,600 m "
            "but lies outside the GI area. The outline on the map is an approximation: the union of the "
            "approximate areas of these districts."
        ),
    ),
    "honey": RegionText(
        product="Mật ong bạc hà",
        name="Vùng mật ong bạc hà Cao nguyên đá Đồng Văn",
        name_en="Mint honey area of the Đồng Văn Karst Plateau",
        elevation_min_m=1000,
        elevation_max_m=1600,
        description_vi=(
            "Mật ong bạc hà được bảo hộ chỉ dẫn địa lý “Mèo Vạc” số 00035. Ong lấy mật từ hoa bạc hà "
            "dại nở vào mùa thu – đông trên cao nguyên đá Đồng Văn, ở độ cao khoảng 1.000–1.600 m, thuộc "
            "{districts} cũ. Tả Lủng, Sủng Trà, Pải Lủng và Sủng Thài là những xã nuôi ong "
            "được báo chí nhắc đến. Ranh giới trên bản đồ là phác thảo gần đúng: hợp các vùng gần đúng "
            "của bốn huyện này."
        ),
        description_en=(
            "Mint honey is protected by the geographical indication “Mèo Vạc” no. 00035. Bees gather it "
            "from the wild mint (bạc hà) that flowers in autumn and winter on the Đồng Văn Karst Plateau, "
            "at about 1,000–1,600 m, in the four former districts of {districts_en}. News reports name "
            "Tả Lủng, Sủng Trà, Pải Lủng and Sủng Thài among the bee-keeping communes. The outline on "
            "the map is an approximation: the union of the approximate areas of these four districts."
        ),
    ),
}

BOUNDARY_SOURCE = (
    "APPROXIMATION drawn around real communes: the union, computed in PostGIS, of the approximate "
    "areas of the former districts {districts} that hold the {scope} listed in "
    "fixtures/hagiang/ha_giang_specialty_regions.csv ({evidence}). Each district area is itself a "
    "sketch (Voronoi cell of the OCHA HDX district label points clipped to the Natural Earth 1:10m "
    "outline of Hà Giang, overlapping real districts only about 63%), so this outline is wider than "
    "the protected area. Replace it with the official map: manage.py import_boundaries --target region."
)


def _district_names(codes: list[str], units: Units, english: bool = False) -> str:
    by_code = {district.code: district for district in sources.districts()}
    if english:
        names = [by_code[code].name_en for code in codes]
    else:  # "Huyện Bắc Quang" → "huyện Bắc Quang" inside a sentence
        names = [units.districts[code].name[0].lower() + units.districts[code].name[1:] for code in codes]
    if len(names) == 1:
        return names[0]
    joiner = " and " if english else " và "
    return ", ".join(names[:-1]) + joiner + names[-1]


def _region_units(scope_rows: list[dict[str, str]], district_codes: list[str], units: Units) -> set[AdminUnit]:
    """The old districts, and the communes before and after 2025, that the scope rows name."""
    linked = {units.districts[code].pk: units.districts[code] for code in district_codes}
    for row in scope_rows:
        if row["old_unit_code"]:
            old_codes = [row["old_unit_code"]]
        else:  # the scope is a whole district: every commune it had
            old_codes = [
                commune["old_code"]
                for commune in sources.communes_pre2025()
                if commune["old_district_code"] == row["old_district_code"]
            ]
        for code in old_codes:
            linked[units.communes_old[code].pk] = units.communes_old[code]
        for code in sources.codes(row["new_code_2025"]):
            linked[units.communes_new[code].pk] = units.communes_new[code]
    return set(linked.values())


def load_regions(report: LoadReport, units: Units) -> list[GrowingRegion]:
    kinds = {kind.code: kind for kind in ProductKind.objects.filter(code__in=REGIONS)}
    rows = Rows(GrowingRegion.objects.filter(product_kind__in=kinds.values()), ("product_kind", "name"))
    loaded, links = [], {}
    for kind_code, text in REGIONS.items():
        product_rows = [row for row in sources.specialty_rows() if row["product"] == text.product]
        scope_rows = [row for row in product_rows if not row["protection"].startswith(NOT_A_SCOPE)]
        district_codes = sorted({row["old_district_code"] for row in scope_rows})
        protections = sorted({row["protection"] for row in scope_rows})
        commune_scope = all(row["old_unit_code"] for row in scope_rows)
        commune_count = len({row["old_unit_code"] for row in scope_rows})
        scope = (
            f"{commune_count} communes of the GI area"
            if commune_scope
            else "communes of the GI area (the source names the districts only)"
        )
        evidence = sorted({row["evidence"] for row in scope_rows})[0]
        names = {
            "districts": _district_names(district_codes, units),
            "districts_en": _district_names(district_codes, units, english=True),
            "communes": commune_count,
        }
        region = upsert(
            report,
            rows,
            {"product_kind": kinds[kind_code], "name": text.name},
            {
                "name_en": text.name_en,
                "boundary": approximations.union([units.district_cells[code] for code in district_codes]),
                "elevation_min_m": text.elevation_min_m,
                "elevation_max_m": text.elevation_max_m,
                "designation": GrowingRegion.Designation.GEOGRAPHICAL_INDICATION,
                "designation_detail": "; ".join(protections)[:300],
                "description_vi": text.description_vi.format(**names),
                "description_en": text.description_en.format(**names),
                "boundary_source": BOUNDARY_SOURCE.format(
                    districts=", ".join(district_codes), scope=scope, evidence=evidence
                ),
                "boundary_is_approximate": True,
            },
        )
        links[region.pk] = {unit.pk for unit in _region_units(scope_rows, district_codes, units)}
        loaded.append(region)
    sync_relation(report, GrowingRegion, "units", links)
    return loaded
