"""The five roles of the platform, as Django groups, and the permissions each one holds.

The groups are created by a migration (backend/migrations/0001_roles.py); their permissions are
synchronised after every `migrate`, so an app that adds a model names its permissions here and
they reach the group without a data migration of its own.
"""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

CONSUMER = "consumer"
PRODUCER_STAFF = "producer_staff"
RETAILER_STAFF = "retailer_staff"
OFFICIAL = "official"
ADMINISTRATOR = "administrator"

ROLE_LABELS = {
    CONSUMER: _("Consumer"),
    PRODUCER_STAFF: _("Producer staff"),
    RETAILER_STAFF: _("Retailer staff"),
    OFFICIAL: _("Official"),
    ADMINISTRATOR: _("Administrator"),
}
ROLES = tuple(ROLE_LABELS)

# "app_label.codename" for each role; "*" means every permission. Codenames of models that do not
# exist (yet) are skipped, so the list may name models of apps still to come.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    CONSUMER: (),
    PRODUCER_STAFF: (
        "geo.view_retailpoint",
        "tracing.view_producer",
        "tracing.change_producer",
        "tracing.add_product",
        "tracing.change_product",
        "tracing.view_product",
        "tracing.add_batch",
        "tracing.change_batch",
        "tracing.view_batch",
        "tracing.view_certificate",
        "tracing.add_certificate",
        "tracing.change_certificate",
        "tracing.delete_certificate",
        "tracing.view_productionarea",
        "tracing.add_productionarea",
        "tracing.change_productionarea",
        "tracing.delete_productionarea",
        "tracing.view_batchevent",
        "tracing.add_batchevent",
    ),
    RETAILER_STAFF: (
        "geo.add_retailpoint",
        "geo.change_retailpoint",
        "geo.view_retailpoint",
    ),
    OFFICIAL: (
        "auth.view_user",
        "geo.view_adminunit",
        "geo.view_growingregion",
        "geo.change_growingregion",
        "geo.view_retailpoint",
        "geo.verify_retailpoint",
        "tracing.view_producer",
        "tracing.verify_producer",
        "tracing.view_product",
        "tracing.view_batch",
        "tracing.view_certificate",
        "tracing.view_productionarea",
        "tracing.view_fieldsurvey",
        "tracing.view_producerstatuschange",
        "tracing.view_batchevent",
        "oversight.view_auditentry",
        "oversight.view_case",
        "oversight.change_case",
        "oversight.view_yieldsetting",
        "oversight.change_yieldsetting",
        "oversight.view_checksettings",
        "oversight.change_checksettings",
        "oversight.view_inspectionfinding",
        "oversight.add_inspectionfinding",
    ),
    ADMINISTRATOR: ("*",),
}


def roles_sync_permissions(sender=None, **kwargs) -> None:
    """Make each role group exist and hold exactly the permissions ROLE_PERMISSIONS gives it."""
    all_permissions = Permission.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in all_permissions}
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = list(by_name.values()) if "*" in names else [by_name[n] for n in names if n in by_name]
        group.permissions.set(wanted)


def user_roles(user) -> set[str]:
    """The role names of a user (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_hg_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMINISTRATOR)
        user._hg_roles = cached
    return cached


def user_has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
