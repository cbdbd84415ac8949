from django import template

from tracing.stamps.evidence import evidence_items, rule_label

register = template.Library()


@register.filter
def evidence(flag) -> list[tuple[str, str]]:
    """{% for label, value in flag|evidence %}: the flag's evidence in the page's language."""
    return evidence_items(flag.evidence)


@register.filter(name="rule_label")
def rule_label_filter(rule: str) -> str:
    """{{ flag.rule|rule_label }}: what the clone rule found, in words."""
    return rule_label(rule)


@register.filter
def layout_label(name: str) -> str:
    """{{ event.reason|layout_label }}: a label layout's name for people (the name itself if unknown)."""
    from tracing.stamps import layouts
    from tracing.stamps.forms import layout_label as label

    layout = layouts.PRESETS.get(name)
    return label(layout) if layout is not None else name
