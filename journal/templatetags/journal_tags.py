from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def trust_scale():
    """The values of the 0–10 scale, for one-click check-in buttons."""
    return range(11)


@register.filter
def signed(value, digits=1):
    """+0.4 / −1.2 / 0.0, with a real minus sign."""
    rounded = round(float(value), int(digits))
    if rounded > 0:
        return f"+{rounded:.{digits}f}"
    if rounded < 0:
        return f"\u2212{-rounded:.{digits}f}"
    return f"{0:.{digits}f}"


@register.filter
def isolate(value):
    """Wrap user-written text placed inside a sentence in Unicode isolates (FSI … PDI), so a
    right-to-left name or a stray direction mark can't reorder the words around it. Works in
    <title> and attributes too, where <bdi> can't go."""
    return f"\u2068{value}\u2069"


@register.filter
def bdi(value):
    """User-written text inside a sentence, isolated so its direction can't leak out."""
    return format_html("<bdi>{}</bdi>", value)
