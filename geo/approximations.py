"""Approximate areas computed in PostGIS where no official boundary is available.

No openly licensed district or growing-area polygons of Hà Giang could be shipped (see
fixtures/hagiang/README.md), so the loader sketches them from what is real: the official district
label points and the Natural Earth province outline. Every geometry made here must be stored with
`boundary_is_approximate=True` and a `boundary_source` that says how it was made; an official file
replaces it later through `manage.py import_boundaries`.
"""

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import connection

# ~0.1 m at this latitude: enough for a sketch, and keeps the stored vertices short.
GRID_DEGREES = 0.000001

_VORONOI_SQL = """
WITH seeds AS (
    SELECT key, ST_SetSRID(ST_MakePoint(lng, lat), 4326) AS geom
    FROM unnest(%s::text[], %s::float8[], %s::float8[]) AS s(key, lng, lat)
),
clip AS (SELECT ST_GeomFromEWKB(%s::bytea) AS geom),
cells AS (
    SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(seeds.geom), 0.0, ST_Expand(clip.geom, 1.0)))).geom AS geom
    FROM seeds, clip
    GROUP BY clip.geom
)
SELECT seeds.key,
       ST_AsEWKB(ST_Multi(ST_CollectionExtract(
           ST_ReducePrecision(ST_Intersection(cells.geom, clip.geom), %s), 3)))
FROM seeds
JOIN cells ON ST_Contains(cells.geom, seeds.geom)
CROSS JOIN clip
"""

_UNION_SQL = """
SELECT ST_AsEWKB(ST_Multi(ST_CollectionExtract(ST_ReducePrecision(ST_UnaryUnion(ST_Collect(g)), %s), 3)))
FROM unnest(%s::bytea[]) AS parts(wkb), LATERAL ST_GeomFromEWKB(parts.wkb) AS g
"""


def _multipolygon(wkb) -> MultiPolygon:
    geometry = GEOSGeometry(memoryview(bytes(wkb)))
    if geometry.srid is None:
        geometry.srid = 4326
    return geometry


def voronoi_cells_clipped(seeds: dict[str, Point], clip: GEOSGeometry) -> dict[str, MultiPolygon]:
    """The Voronoi cell of each seed point, clipped to `clip` (all EPSG:4326), keyed like `seeds`.

    Computed with ST_VoronoiPolygons + ST_Intersection. The cells tile `clip` without overlap and
    each contains its own seed when the seed lies inside `clip`; a seed outside `clip` is refused.
    """
    if clip.srid not in (None, 4326):
        clip = clip.transform(4326, clone=True)
    clip = clip.clone()
    clip.srid = 4326
    outside = [key for key, point in seeds.items() if not clip.contains(point)]
    if outside:
        raise ValueError(f"seed points outside the clipping polygon: {', '.join(sorted(outside))}")
    keys = list(seeds)
    with connection.cursor() as cursor:
        cursor.execute(
            _VORONOI_SQL,
            [
                keys,
                [seeds[key].x for key in keys],
                [seeds[key].y for key in keys],
                bytes(clip.ewkb),
                GRID_DEGREES,
            ],
        )
        cells = {key: _multipolygon(wkb) for key, wkb in cursor.fetchall()}
    missing = set(keys) - set(cells)
    if missing:
        raise ValueError(f"no Voronoi cell found for: {', '.join(sorted(missing))}")
    return cells


def union(parts: list[GEOSGeometry]) -> MultiPolygon:
    """The union of polygons (EPSG:4326) as one MultiPolygon, dissolved in PostGIS."""
    if not parts:
        raise ValueError("nothing to unite")
    with connection.cursor() as cursor:
        cursor.execute(_UNION_SQL, [GRID_DEGREES, [bytes(part.ewkb) for part in parts]])
        (wkb,) = cursor.fetchone()
    return _multipolygon(wkb)
