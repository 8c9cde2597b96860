from datetime import date
from functools import lru_cache, wraps

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_noop, ngettext, pgettext

from journal import rows
from journal.models import remembered_reverse

register = template.Library()


def remembered(maxsize, *, for_a_day=False):
    """lru_cache for what is written in the active language: remembered per language (and by
    its arguments, which must be all it shows). With `for_a_day`, for what shows what people
    wrote, emptied when the day changes: the app's caches keep that no longer than a day
    (journal.dashboard.ROW_CACHE_SECONDS)."""

    def decorate(function):
        memo = lru_cache(maxsize=maxsize)(lambda language, *args: function(*args))
        since = [date.today()]

        def language_now():
            if for_a_day and date.today() != since[0]:
                memo.cache_clear()
                since[0] = date.today()
            return get_language()

        @wraps(function)
        def wrapper(*args):
            return memo(language_now(), *args)

        def each(items):
            """The function of each item, the language (and the day) looked up once."""
            language = language_now()
            return [memo(language, item) for item in items]

        wrapper.each = each
        wrapper.cache_clear, wrapper.cache_info = memo.cache_clear, memo.cache_info
        return wrapper

    return decorate


def joined(item_filter):
    """A filter that writes each item of a list with `item_filter` (which returns safe HTML),
    one after the other: one filter call where a {% for %} loop resolved and rendered each
    item again (a click's cards list some 50 of them)."""

    each = getattr(item_filter, "each", lambda items: map(item_filter, items))

    def join(items):
        return mark_safe("".join(each(items)))

    return join


@register.filter
@remembered(maxsize=4096)
def day(value, format_name="DATE_FORMAT"):
    """A date (not a time) in the active language's format, as `date` gives it, remembered:
    Django parses the format anew for every date, and a dashboard shows dozens of them."""
    return date_format(value, format_name) if value else ""


@register.simple_tag(takes_context=True)
def journal_rows(context, promises):
    """A relationship's journal page of `promises`, as rows kept for what they show
    (journal.rows), their forms coming back to this page."""
    return rows.journal_rows(promises, context["request"].get_full_path(), context["today"])


# {% url %}, remembered (journal.models.remembered_reverse): for the dashboard's fragments,
# which every Kept / Undo click renders again, where Django would work each URL out afresh.
register.simple_tag(remembered_reverse, name="remembered_url")


@register.tag
def once_per(parser, token):
    """{% once_per a b %}…{% endonce_per %}: what lies between, rendered once in this process
    for each value of a, b in each language, then the same HTML again. For words that depend on
    nothing else (a card's headings and legend): the values must name all that it shows but
    the language, and take few values (a range), as each is kept for good. In the dashboard's
    chart card, which every Kept / Undo click renders again, where {% cache %} took a cache
    lookup (a lock, a key digest, unpickling) for each of these."""
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endonce_per",))
    parser.delete_first_token()
    return OncePerNode(nodelist, vary_on)


class OncePerNode(template.Node):
    def __init__(self, nodelist, vary_on):
        self.nodelist, self.vary_on = nodelist, vary_on
        self.rendered = {}

    def render(self, context):
        key = (get_language(), *(value.resolve(context) for value in self.vary_on))
        html = self.rendered.get(key)
        if html is None:
            html = self.rendered[key] = self.nodelist.render(context)
        return html


# A relationship's journal page of reflections, or of check-ins, kept for what they show.
register.simple_tag(rows.reflection_items, name="reflection_items")
register.simple_tag(rows.checkin_items, name="checkin_items")


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
    return _describe_causes(tuple(causes))


# A day's row and "why did it move?" entry are the same from one change to the next but for
# the days the change touched: each is written once per language and remembered (by all it
# shows: the point, with its causes).


def _table_row(*cells):
    """<tr> of a <td> per cell, each escaped unless safe."""
    return format_html("<tr>" + "<td>{}</td>" * len(cells) + "</tr>", *cells)


@register.filter
@remembered(maxsize=8192, for_a_day=True)
def day_row(point):
    """A row of the chart's data table: a day on which something changed."""
    return _table_row(
        day(point.day, "SHORT_DATE_FORMAT"),
        floatformat(point.score, 1),
        signed(point.delta),
        describe_causes(point.causes),
    )


@register.filter
@remembered(maxsize=4096, for_a_day=True)
def why_item(point):
    """An entry of "why did it move?": a day's change and its causes."""
    return format_html(
        '<li>\n<span class="delta {}">{}</span>\n<span class="small muted">{}</span>\n'
        "<div>{}</div>\n</li>",
        "down" if point.delta < 0 else "up",
        signed(point.delta),
        day(point.day),
        describe_causes(point.causes),
    )


@register.filter
@remembered(maxsize=1024)
def milestone_item(milestone):
    """A milestone reached (journal.insights.Milestone), with its day."""
    n = milestone.value
    if milestone.key == "kept":
        text = gettext("First promise kept") if n == 1 else gettext("%(n)s promises kept")
    elif milestone.key == "in_a_row":
        text = gettext("%(n)s kept in a row")
    elif milestone.key == "day_streak":
        text = gettext("%(n)s-day streak")
    else:
        text = gettext("Score passed %(n)s")
    return format_html(
        '<li>{} <span class="small muted">{}</span></li>', text % {"n": n}, day(milestone.day)
    )


@register.filter
@remembered(maxsize=1024)
def checkin_row(checkin):
    """A row of the chart's check-ins table: a check-in's day and how it felt."""
    return format_html(
        "<tr><td>{}</td><td>{}/10</td></tr>",
        day(checkin.date, "SHORT_DATE_FORMAT"),
        localize(checkin.felt_trust),
    )


@register.simple_tag
def chart_summary(points, checkins):
    """The sentence the chart is described by: where the score went over the range shown
    (`points`), and how many check-ins the range has. In Python rather than the template
    (the same messages as the {% blocktranslate %} it replaces): a third of the chart card's
    rendering, which every Kept / Undo click does."""
    first, last = points[0], points[-1]
    summary = gettext(
        "From %(start)s to %(end)s your track record went from %(from)s to %(to)s."
    ) % {
        "start": day(first.day),
        "end": day(last.day),
        "from": floatformat(first.score, 1),
        "to": floatformat(last.score, 1),
    }
    if checkins:
        counter = len(checkins)
        summary += " " + ngettext(
            "%(counter)s check-in in this range.", "%(counter)s check-ins in this range.", counter
        ) % {"counter": localize(counter)}
    return summary


@remembered(maxsize=1024)
def month_row(month):
    """A row of a long range's data table (journal.dashboard.Month): five years are some 60
    of them, the same from one click to the next but for the latest."""
    return _table_row(
        day(month.first_day, "YEAR_MONTH_FORMAT"),
        floatformat(month.score, 1),
        signed(month.delta),
        describe_counts(month.counts),
        "" if month.felt is None else f"{localize(month.felt)}/10",
    )


day_rows = register.filter("day_rows", joined(day_row))
month_rows = register.filter("month_rows", joined(month_row))
checkin_rows = register.filter("checkin_rows", joined(checkin_row))
why_items = register.filter("why_items", joined(why_item))
milestone_items = register.filter("milestone_items", joined(milestone_item))


@remembered(maxsize=8192, for_a_day=True)
def _describe_causes(causes):
    sentences = []
    for cause in causes:
        kind = "untold breach" if cause.kind == "breach" and not cause.text else cause.kind
        values = {
            "delta": signed(cause.delta),
            "text": conditional_escape(cause.text),
            "date": day(cause.on),
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
