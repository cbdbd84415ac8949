from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backend.roles import ADMINISTRATOR, CONSUMER, OFFICIAL, PRODUCER_STAFF, RETAILER_STAFF, user_roles

# (url name, label, roles that see it; empty = everyone). Apps add their pages here as they land.
NAVIGATION = [
    ("home", _("Home"), ()),
    ("geo:find_shop", _("Find a shop"), ()),
    ("tracing:guide_check", _("Check a stamp"), ()),
    ("tracing:producers", _("Producers"), ()),
    ("tracing:my_producer", _("My organisation"), (PRODUCER_STAFF,)),
    ("oversight:queue", _("Applications"), (OFFICIAL, ADMINISTRATOR)),
    ("geo:province_map", _("Province map"), ()),
    ("oversight:participants", _("Participants"), ()),
    ("oversight:home", _("Oversight"), (ADMINISTRATOR, OFFICIAL)),
    ("marketplace:catalogue", _("Buy online"), ()),
    ("marketplace:my_orders", _("My orders"), (CONSUMER, PRODUCER_STAFF, RETAILER_STAFF)),
    ("marketplace:desk", _("Order desk"), (PRODUCER_STAFF,)),
    ("tracing:stamps_home", _("Stamps"), (PRODUCER_STAFF, OFFICIAL, ADMINISTRATOR)),
    ("admin:index", _("Administration"), (ADMINISTRATOR, OFFICIAL)),
    ("api-docs", _("API"), (ADMINISTRATOR, OFFICIAL, PRODUCER_STAFF, RETAILER_STAFF)),
]


def site(request):
    # No user when a request is refused before AuthenticationMiddleware (a Host not in ALLOWED_HOSTS):
    # its 400 page is still rendered, for an anonymous visitor.
    user = getattr(request, "user", None) or AnonymousUser()
    roles = user_roles(user)
    nav = []
    for url_name, label, allowed in NAVIGATION:
        if allowed and not (roles & set(allowed)) and not (user.is_staff and url_name == "admin:index"):
            continue
        url = reverse(url_name)
        nav.append({"url": url, "label": label, "active": request.path == url})
    return {
        "SITE_URL": settings.SITE_URL,
        "MAP_TILES_URL": settings.MAP_TILES_URL,
        "MAP_TILES_ATTRIBUTION": settings.MAP_TILES_ATTRIBUTION,
        "nav_items": nav,
        "user_roles": roles,
    }
