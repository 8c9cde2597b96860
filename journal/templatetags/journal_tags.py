from django import template
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

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


@register.simple_tag
def delta(value, label):
    """A change of the score, coloured by its direction, then what it is over ("7 days")."""
    direction = "down" if value < 0 else "up" if value > 0 else ""
    return format_html(
        '<span class="delta {}">{}</span> <span class="muted">{}</span>',
        direction,
        signed(value),
        label,
    )


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


# What moved the score on a day, in words. In Python rather than a template included once per
# cause: the five-year data table has over a thousand of them.
CAUSE_SENTENCES = {
    "kept": gettext_noop("%(delta)s: kept “%(text)s”, %(date)s"),
    "broken": gettext_noop("%(delta)s: broken “%(text)s”, %(date)s"),
    "overdue": gettext_noop("%(delta)s: “%(text)s” is overdue, %(date)s"),
    "breach": gettext_noop("%(delta)s: new breach “%(text)s”, %(date)s"),
    "untold breach": gettext_noop("%(delta)s: new breach, %(date)s"),
    "start": gettext_noop("%(delta)s: starting point, %(date)s"),
}


@register.filter
def describe_causes(causes):
    """A point's causes (journal.scoring.Cause) as one sentence each, joined; what the user
    wrote is escaped."""
    sentences = []
    for cause in causes:
        kind = "untold breach" if cause.kind == "breach" and not cause.text else cause.kind
        values = {
            "delta": signed(cause.delta),
            "text": conditional_escape(cause.text),
            "date": date_format(cause.on, "DATE_FORMAT"),
        }
        sentences.append(gettext(CAUSE_SENTENCES.get(kind, CAUSE_SENTENCES["start"])) % values)
    return mark_safe(pgettext("between causes", "; ").join(sentences))


def _count_words(kind, number):
    """How many causes of a kind, in words (ngettext needs the literal strings)."""
    if kind == "kept":
        return ngettext("%(count)s kept", "%(count)s kept", number) % {"count": number}
    if kind == "broken":
        return ngettext("%(count)s broken", "%(count)s broken", number) % {"count": number}
    if kind == "overdue":
        return ngettext("%(count)s overdue", "%(count)s overdue", number) % {"count": number}
    return ngettext("%(count)s new breach", "%(count)s new breaches", number) % {"count": number}


@register.filter
def describe_counts(counts):
    """A month's causes counted (journal.dashboard.Month.counts): "12 kept, 2 broken"."""
    if not counts:
        return gettext("Nothing changed")
    return format_html_join(
        pgettext("list separator", ", "),
        '<span class="count">{}</span>',
        ((_count_words(kind, number),) for kind, number in counts),
    )
