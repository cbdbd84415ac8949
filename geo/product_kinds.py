"""The product kinds the platform starts with (more can be added as data)."""

BASE_KINDS = [
    ("tea", "Chè Shan tuyết", "Shan tuyết tea", "#2e7d32"),
    ("orange", "Cam sành", "Cam sành orange", "#ef6c00"),
    ("honey", "Mật ong bạc hà", "Mint honey", "#c49000"),
]


def ensure_base_kinds(sender=None, **kwargs) -> None:
    """Create the base kinds when missing (after migrate, and after a test flush emptied the table)."""
    from geo.models import ProductKind

    for code, name_vi, name_en, colour in BASE_KINDS:
        ProductKind.objects.get_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en, "colour": colour}
        )
