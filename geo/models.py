"""Administrative units (with validity dates), growing regions, places and retail points.

Points are geography(4326) so distances are metres; polygons are geometry(4326).
"""

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from geo.text import fold


class GeographyAreaHectares(Func):
    """ST_Area of a geometry(4326) on the spheroid, in hectares (immutable: usable in a generated column)."""

    template = "(ST_Area(%(expressions)s::geography) / 10000.0)"
    output_field = models.FloatField()


class ProductKind(models.Model):
    """Tea, orange, honey, … — data, so that more specialties can be added without code."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    colour = models.CharField(_("map colour"), max_length=7, default="#1f5f3b", help_text="#rrggbb")

    class Meta:
        ordering = ["code"]
        verbose_name = _("product kind")
        verbose_name_plural = _("product kinds")

    def __str__(self):
        """The name in the active language (select boxes and pages show kinds by their __str__)."""
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi


class AdminUnitQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        """Units in force on a day (valid_from ≤ day ≤ valid_to, open ends allowed)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def current(self):
        return self.valid_on(timezone.localdate())


class AdminUnit(models.Model):
    """A province, district or commune as it was between valid_from and valid_to.

    On 1 July 2025 Hà Giang was merged into Tuyên Quang and districts were abolished: both maps are
    rows here, linked by `successors`, and a record keeps the unit that was valid when it was made.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        DISTRICT = "district", _("district")
        COMMUNE = "commune", _("commune")

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("official code"), max_length=10, help_text=_("GSO code, e.g. 02, 024, 00688"))
    kind = models.CharField(_("kind"), max_length=30, blank=True, help_text=_("Tỉnh, Huyện, Thành phố, Xã, Phường…"))
    name = models.CharField(_("name"), max_length=120)
    name_ascii = models.CharField(_("name without diacritics"), max_length=120, blank=True)
    search_name = models.CharField(max_length=120, editable=False, db_index=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    successors = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="predecessors")
    boundary = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    centre = models.PointField(_("centre"), geography=True, srid=4326, null=True, blank=True)
    boundary_source = models.TextField(_("source of the boundary"), blank=True)
    boundary_is_approximate = models.BooleanField(_("boundary is an approximation"), default=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        constraints = [
            models.UniqueConstraint(fields=["level", "code", "valid_from"], name="adminunit_unique_code_period"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="adminunit_valid_period",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        if not self.name_ascii:
            self.name_ascii = fold(self.name).title()
        super().save(*args, **kwargs)


class GrowingRegion(models.Model):
    """Where a specialty grows: a polygon, the units it lies in, its protection if any."""

    class Designation(models.TextChoices):
        NONE = "", _("none")
        GEOGRAPHICAL_INDICATION = "gi", _("geographical indication")
        COLLECTIVE_MARK = "collective", _("collective mark")
        CERTIFICATION_MARK = "certification", _("certification mark")

    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    product_kind = models.ForeignKey(ProductKind, on_delete=models.PROTECT, related_name="regions")
    boundary = models.MultiPolygonField(_("boundary"), srid=4326)
    units = models.ManyToManyField(AdminUnit, blank=True, related_name="growing_regions")
    area_ha = models.GeneratedField(
        expression=GeographyAreaHectares("boundary"), output_field=models.FloatField(), db_persist=True
    )
    elevation_min_m = models.PositiveIntegerField(_("lowest elevation (m)"), null=True, blank=True)
    elevation_max_m = models.PositiveIntegerField(_("highest elevation (m)"), null=True, blank=True)
    designation = models.CharField(_("protection"), max_length=20, choices=Designation.choices, blank=True)
    designation_detail = models.CharField(_("protection detail"), max_length=300, blank=True)
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    boundary_source = models.TextField(_("source of the boundary"))
    boundary_is_approximate = models.BooleanField(_("boundary is an approximation"), default=True)

    class Meta:
        ordering = ["product_kind", "name"]
        verbose_name = _("growing region")
        verbose_name_plural = _("growing regions")
        constraints = [
            models.UniqueConstraint(fields=["product_kind", "name"], name="growingregion_unique_name"),
            models.CheckConstraint(
                condition=Q(elevation_min_m__isnull=True)
                | Q(elevation_max_m__isnull=True)
                | Q(elevation_max_m__gte=F("elevation_min_m")),
                name="growingregion_elevation_range",
            ),
        ]

    def __str__(self):
        return self.name


class Place(models.Model):
    """A named point for the offline gazetteer: towns, villages, city centres."""

    name = models.CharField(_("name"), max_length=150)
    search_name = models.CharField(max_length=150, editable=False, db_index=True)
    kind = models.CharField(_("kind"), max_length=30, help_text=_("town, village, city…"))
    location = models.PointField(_("location"), geography=True, srid=4326)
    population = models.PositiveIntegerField(null=True, blank=True)
    unit = models.ForeignKey(AdminUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="places")
    source = models.CharField(_("source"), max_length=200)
    external_id = models.CharField(max_length=40, blank=True, help_text=_("e.g. the GeoNames id"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [models.UniqueConstraint(fields=["source", "name"], name="place_unique_per_source")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)


class RetailPointQuerySet(models.QuerySet):
    def public(self):
        """What consumers may see: active and verified."""
        return self.filter(is_active=True, verification_status=RetailPoint.Verification.VERIFIED)

    def managed_by(self, user):
        return self.filter(staff=user)


class RetailPoint(models.Model):
    """A place that sells the products: shop, market stall, supermarket, cooperative store, farm gate."""

    class Kind(models.TextChoices):
        SHOP = "shop", _("shop")
        MARKET_STALL = "market_stall", _("market stall")
        SUPERMARKET = "supermarket", _("supermarket")
        COOPERATIVE_STORE = "coop_store", _("cooperative store")
        FARM_GATE = "farm_gate", _("farm gate")

    class Verification(models.TextChoices):
        PENDING = "pending", _("pending")
        VERIFIED = "verified", _("verified")
        SUSPENDED = "suspended", _("suspended")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SHOP)
    address = models.CharField(_("address"), max_length=300)
    commune = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="retail_points"
    )
    location = models.PointField(_("location"), geography=True, srid=4326)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    zalo = models.CharField(_("Zalo"), max_length=20, blank=True)
    photo = models.ImageField(_("photo"), upload_to="retail/%Y/", blank=True)
    product_kinds = models.ManyToManyField(ProductKind, blank=True, related_name="retail_points")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="retail_points")
    verification_status = models.CharField(
        _("verification"), max_length=10, choices=Verification.choices, default=Verification.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RetailPointQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("retail point")
        verbose_name_plural = _("retail points")
        permissions = [("verify_retailpoint", "Can verify or suspend retail points")]
        indexes = [models.Index(fields=["verification_status", "is_active"], name="retailpoint_public_idx")]

    def __str__(self):
        return self.name


class OpeningPeriod(models.Model):
    """One weekly opening period; several per day are allowed (e.g. a lunch break)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    retail_point = models.ForeignKey(RetailPoint, on_delete=models.CASCADE, related_name="opening_periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening period")
        verbose_name_plural = _("opening hours")
        constraints = [models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="openingperiod_closes_after")]
        indexes = [models.Index(fields=["retail_point", "weekday"], name="openingperiod_day_idx")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OpeningException(models.Model):
    """A day that differs from the weekly hours: closed (holiday, Tết) or special hours."""

    retail_point = models.ForeignKey(RetailPoint, on_delete=models.CASCADE, related_name="opening_exceptions")
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("opening exception")
        verbose_name_plural = _("opening exceptions")
        constraints = [
            models.UniqueConstraint(fields=["retail_point", "date"], name="openingexception_one_per_day"),
            models.CheckConstraint(
                condition=Q(closed=True)
                | (Q(opens__isnull=False) & Q(closes__isnull=False) & Q(closes__gt=F("opens"))),
                name="openingexception_hours_when_open",
            ),
        ]

    def __str__(self):
        return f"{self.date}: {self.note or ('closed' if self.closed else 'special hours')}"
