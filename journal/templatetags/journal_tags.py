from django import template

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
