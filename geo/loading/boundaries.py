"""Replace approximate boundaries by official ones read from shapefiles or GeoJSON files.

GeoDjango's LayerMapping checks each layer against the model (the attribute exists, the geometry
type fits a MultiPolygon field, the coordinate system is known), promotes Polygons to
MultiPolygons and reprojects to EPSG:4326. Its own `save(unique=…)` would merge the new geometry
into the old one and cannot choose between the pre- and post-2025 units that share a code, so
the matching and the update are done here, after every feature of every file has been checked:
a bad file changes nothing.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException, SpatialReference
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon
from django.contrib.gis.utils import LayerMapping
from django.contrib.gis.utils.layermapping import LayerMapError
from django.db import transaction
from django.utils.translation import gettext as _

from geo.loading.upsert import GEOMETRY_TOLERANCE
from geo.models import AdminUnit, GrowingRegion, ProductKind

ADMIN_UNIT = "adminunit"
REGION = "region"
TARGETS = (ADMIN_UNIT, REGION)


class BoundaryFileError(Exception):
    """A file, or a feature in it, that cannot be imported; the message is one line."""


@dataclass(frozen=True)
class ImportOptions:
    target: str
    key_field: str  # attribute holding the unit code (adminunit) or the region name (region)
    product_field: str | None = None  # region: attribute holding the product kind code
    product_kind: str | None = None  # region: one product kind for every feature
    level: str | None = None  # adminunit: province / district / commune
    valid_from: datetime.date | None = None  # adminunit: units starting that day…
    valid_from_unset: bool = False  # …or units without a start date (the pre-2025 map)
    valid_on: datetime.date | None = None  # adminunit: units in force that day
    source: str | None = None  # boundary_source; default: the file names
    source_srs: str | None = None  # coordinate system when the file does not say (e.g. "EPSG:32648")


@dataclass
class ImportResult:
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class _Feature:
    key: str
    product: str | None
    geometry: GEOSGeometry
    where: str


def _layer_mapping(data_source: DataSource, index: int, options: ImportOptions, name: str) -> LayerMapping:
    model, key_attr = (AdminUnit, "code") if options.target == ADMIN_UNIT else (GrowingRegion, "name")
    layer = data_source[index]
    if options.key_field not in layer.fields:
        raise BoundaryFileError(
            _("%(file)s: no attribute “%(field)s” (attributes: %(fields)s).")
            % {"file": name, "field": options.key_field, "fields": ", ".join(layer.fields) or "—"}
        )
    if options.product_field and options.product_field not in layer.fields:
        raise BoundaryFileError(
            _("%(file)s: no attribute “%(field)s” (attributes: %(fields)s).")
            % {"file": name, "field": options.product_field, "fields": ", ".join(layer.fields) or "—"}
        )
    try:
        source_srs = SpatialReference(options.source_srs) if options.source_srs else None
    except GDALException as error:
        raise BoundaryFileError(
            _("Unknown coordinate system “%(srs)s” (try EPSG:32648).") % {"srs": options.source_srs}
        ) from error
    try:
        return LayerMapping(
            model,
            data_source,
            {key_attr: options.key_field, "boundary": "MULTIPOLYGON"},
            layer=index,
            source_srs=source_srs,
            transform=True,
        )
    except LayerMapError as error:
        if "reference system" in str(error):
            raise BoundaryFileError(
                _("%(file)s: no coordinate reference system (give the shapefile its .prj or pass --source-srs).")
                % {"file": name}
            ) from error
        if "geometry" in str(error):
            raise BoundaryFileError(
                _("%(file)s: the layer holds %(type)s geometries; polygons or multipolygons are required.")
                % {"file": name, "type": layer.geom_type.name}
            ) from error
        raise BoundaryFileError(f"{name}: {error}") from error


def _read_feature(mapping: LayerMapping, feature, options: ImportOptions, where: str) -> _Feature:
    key_attr = "code" if options.target == ADMIN_UNIT else "name"
    try:
        values = mapping.feature_kwargs(feature)
        geometry = GEOSGeometry(values["boundary"], srid=4326)
    except (LayerMapError, GDALException, GEOSException, ValueError, TypeError) as error:
        raise BoundaryFileError(
            _("%(where)s: unreadable feature (%(error)s).") % {"where": where, "error": error}
        ) from error
    key = str(values[key_attr] or "").strip()
    if not key:
        raise BoundaryFileError(
            _("%(where)s: the attribute “%(field)s” is empty.") % {"where": where, "field": options.key_field}
        )
    if not isinstance(geometry, MultiPolygon):
        raise BoundaryFileError(
            _("%(where)s: %(type)s geometry; polygons or multipolygons are required.")
            % {"where": where, "type": geometry.geom_type}
        )
    if geometry.empty:
        raise BoundaryFileError(_("%(where)s: the geometry is empty.") % {"where": where})
    if not geometry.valid:
        raise BoundaryFileError(
            _("%(where)s: invalid geometry (%(reason)s).") % {"where": where, "reason": geometry.valid_reason}
        )
    product = options.product_kind
    if options.product_field:
        product = str(feature.get(options.product_field) or "").strip() or None
    return _Feature(key=key, product=product, geometry=geometry, where=where)


def _read_file(path: Path, options: ImportOptions) -> list[_Feature]:
    name = path.name
    try:
        data_source = DataSource(str(path))
    except GDALException as error:
        raise BoundaryFileError(
            _("%(file)s: cannot be read as a shapefile or GeoJSON file.") % {"file": name}
        ) from error
    features = []
    for index in range(len(data_source)):
        if not len(data_source[index]):
            continue
        mapping = _layer_mapping(data_source, index, options, name)
        for number, feature in enumerate(data_source[index], start=1):
            where = _("%(file)s, feature %(number)d") % {"file": name, "number": number}
            features.append(_read_feature(mapping, feature, options, where))
    if not features:
        raise BoundaryFileError(_("%(file)s: no features.") % {"file": name})
    return features


def _admin_unit(feature: _Feature, options: ImportOptions) -> AdminUnit:
    units = AdminUnit.objects.filter(code=feature.key)
    if options.level:
        units = units.filter(level=options.level)
    if options.valid_from:
        units = units.filter(valid_from=options.valid_from)
    if options.valid_from_unset:
        units = units.filter(valid_from__isnull=True)
    if options.valid_on:
        units = units.valid_on(options.valid_on)
    found = list(units[:2])
    if not found:
        raise BoundaryFileError(
            _("%(where)s: no administrative unit with code %(code)s matches the options given.")
            % {"where": feature.where, "code": feature.key}
        )
    if len(found) > 1:
        raise BoundaryFileError(
            _(
                "%(where)s: code %(code)s matches several units (%(units)s); "
                "narrow it with --level, --valid-from or --valid-on."
            )
            % {
                "where": feature.where,
                "code": feature.key,
                "units": ", ".join(
                    f"{unit.name} [{unit.level}, {unit.valid_from or '…'}–{unit.valid_to or '…'}]" for unit in units
                ),
            }
        )
    return found[0]


def _region(feature: _Feature) -> GrowingRegion:
    regions = GrowingRegion.objects.filter(name=feature.key)
    if feature.product:
        if not ProductKind.objects.filter(code=feature.product).exists():
            raise BoundaryFileError(
                _("%(where)s: unknown product kind “%(kind)s”.") % {"where": feature.where, "kind": feature.product}
            )
        regions = regions.filter(product_kind__code=feature.product)
    found = list(regions[:2])
    if not found:
        raise BoundaryFileError(
            _("%(where)s: no growing region named “%(name)s”%(product)s.")
            % {
                "where": feature.where,
                "name": feature.key,
                "product": f" ({feature.product})" if feature.product else "",
            }
        )
    if len(found) > 1:
        raise BoundaryFileError(
            _(
                "%(where)s: several growing regions are named “%(name)s”; "
                "say which product kind with --product-kind or --product-field."
            )
            % {"where": feature.where, "name": feature.key}
        )
    return found[0]


def _merge(geometries: list[GEOSGeometry]) -> MultiPolygon:
    """Several features for one record (e.g. islands in separate rows) become one MultiPolygon."""
    if len(geometries) == 1:
        return geometries[0]
    merged = MultiPolygon(*[polygon for geometry in geometries for polygon in geometry], srid=4326)
    if not merged.valid:
        merged = merged.unary_union
        if merged.geom_type == "Polygon":
            merged = MultiPolygon(merged, srid=4326)
    return merged


def import_boundaries(paths: list[Path], options: ImportOptions) -> ImportResult:
    """Replace the boundaries of the records named in the files, all of them or none.

    Raises BoundaryFileError (nothing changed) for an unreadable file, a missing attribute, an
    unknown or ambiguous code or name, an invalid, empty or non-polygonal geometry.
    """
    if options.target not in TARGETS:
        raise BoundaryFileError(_("Unknown target “%(target)s”.") % {"target": options.target})
    features = [feature for path in paths for feature in _read_file(Path(path), options)]
    # Stored data, so not translated: the same files give the same source whatever the language.
    source = options.source or "Imported from " + ", ".join(Path(path).name for path in paths)

    records: dict[int, tuple[AdminUnit | GrowingRegion, list[GEOSGeometry]]] = {}
    for feature in features:
        record = _admin_unit(feature, options) if options.target == ADMIN_UNIT else _region(feature)
        records.setdefault(record.pk, (record, []))[1].append(feature.geometry)

    result = ImportResult()
    with transaction.atomic():
        for record, geometries in records.values():
            boundary = _merge(geometries)
            same = (
                record.boundary is not None
                and record.boundary.equals_exact(boundary, GEOMETRY_TOLERANCE)
                and not record.boundary_is_approximate
                and record.boundary_source == source
            )
            if same:
                result.unchanged.append(str(record))
                continue
            record.boundary = boundary
            record.boundary_is_approximate = False
            record.boundary_source = source
            record.save(update_fields=["boundary", "boundary_is_approximate", "boundary_source"])
            result.updated.append(str(record))
    return result
