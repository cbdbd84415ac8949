from django import template

from tracing.evidence import evidence_items, rule_label

register = template.Library()


@register.filter
def evidence(flag) -> list[tuple[str, str]]:
    """{% for label, value in flag|evidence %}: the flag's evidence in the page's language."""
    return evidence_items(flag.evidence)


@register.filter(name="rule_label")
def rule_label_filter(rule: str) -> str:
    """{{ flag.rule|rule_label }}: what the clone rule found, in words."""
    return rule_label(rule)
