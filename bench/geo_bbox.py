"""The map viewport endpoint with 10,000 points in view: milliseconds per feature.

    python -m bench.geo_bbox [--points 1000000] [--features 10000] [--repeat 15]

Three ways on the same rows: the API over HTTP (GeoJSON built by PostgreSQL), our function in
process, and drf-gis's GeoFeatureModelSerializer (the library baseline) in process.
Target: ≤ 0.05 ms per feature.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

from bench import common


def _setup_django(url: str) -> None:
    os.environ.update(common.django_env(url))
    import django

    django.setup()


def _viewport(features: int) -> tuple[float, float, float, float]:
    """A square around Hà Nội holding at least `features` public points."""
    from geo.containment import retail_points_in_bbox
    from geo.models import RetailPoint

    centre_lat, centre_lng = 21.03, 105.85
    side = 0.5
    for _attempt in range(6):
        box = (centre_lng - side / 2, centre_lat - side / 2, centre_lng + side / 2, centre_lat + side / 2)
        found = retail_points_in_bbox(*box, queryset=RetailPoint.objects.public()).count()
        if found >= features and found < features * 1.3:
            return box
        side *= math.sqrt(features * 1.1 / max(found, 1))
    return box


def _timed(function, repeat: int) -> list[float]:
    function()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    url = common.bench_database_url()
    common.ensure_database(url, args.points)
    _setup_django(url)

    from django.db.models import Prefetch
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer
    from rest_framework_gis.serializers import GeoFeatureModelSerializer

    from geo.containment import retail_points_in_bbox
    from geo.geojson import retail_points_geojson_page
    from geo.models import ProductKind, RetailPoint

    box = _viewport(args.features)
    in_view = retail_points_in_bbox(*box, queryset=RetailPoint.objects.public()).order_by("pk")
    limit = args.features
    print(f"\nViewport {','.join(f'{v:.4f}' for v in box)}: {limit:,} features per response")

    def ours_in_process():
        features, _more = retail_points_geojson_page(in_view, limit=limit)
        return features

    class MarkerSerializer(GeoFeatureModelSerializer):
        verified = serializers.SerializerMethodField()
        product_kinds = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

        class Meta:
            model = RetailPoint
            geo_field = "location"
            fields = ("id", "name", "kind", "verified", "product_kinds")

        def get_verified(self, obj) -> bool:
            return obj.verification_status == RetailPoint.Verification.VERIFIED

    def drf_gis_in_process():
        rows = in_view.prefetch_related(Prefetch("product_kinds", queryset=ProductKind.objects.order_by("code")))
        return JSONRenderer().render(MarkerSerializer(rows[:limit], many=True).data)

    count_ours = len(json.loads(ours_in_process()))
    count_drf = len(json.loads(drf_gis_in_process())["features"])
    assert count_ours == count_drf == limit, (count_ours, count_drf, limit)

    results = {}

    def report(label, times):
        per_feature = sorted(times)[len(times) // 2] * 1000 / limit
        results[label] = {"median_ms": sorted(times)[len(times) // 2] * 1000, "ms_per_feature": per_feature}
        print(f"{label:<44} {results[label]['median_ms']:8.1f} ms   {per_feature:.4f} ms/feature", flush=True)

    report("ours, in process (PostgreSQL builds GeoJSON)", _timed(ours_in_process, args.repeat))
    report("drf-gis GeoFeatureModelSerializer, in process", _timed(drf_gis_in_process, max(3, args.repeat // 3)))

    from django.db import connections

    connections.close_all()
    path = f"/api/v1/retail-points/?in_bbox={','.join(f'{v:.6f}' for v in box)}&limit={limit}"
    with common.gunicorn(url, workers=2) as port:
        client = common.HttpClient(port)

        def over_http():
            status, body = client.get(path)
            assert status == 200, (status, body[:300])
            return body

        assert len(json.loads(over_http())["features"]) == limit
        report("API over HTTP (gunicorn), whole response", _timed(over_http, args.repeat))

    api = results["API over HTTP (gunicorn), whole response"]["ms_per_feature"]
    baseline = results["drf-gis GeoFeatureModelSerializer, in process"]["ms_per_feature"]
    print(f"{'API vs drf-gis per feature':<44} {baseline / api:8.1f} × faster   (target ≤ 0.05 ms/feature)")
    result = {"points": args.points, "features": limit, "bbox": box, "results": results}
    common.write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()
