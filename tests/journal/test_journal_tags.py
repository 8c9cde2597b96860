"""The template filters that put the score's causes into words."""

from collections import namedtuple
from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.urls import set_urlconf
from django.utils import translation

from journal.insights import Milestone
from journal.scoring import Cause, Point
from journal.templatetags import journal_tags
from journal.templatetags.journal_tags import (
    chart_summary,
    checkin_row,
    day,
    day_row,
    describe_causes,
    milestone_item,
    why_item,
)

DAY = date(2026, 3, 4)


def cause(kind, text="Cook <b>dinner</b>", delta=0.3):
    return Cause(kind, 1, text, DAY, delta, "small")


def test_each_kind_in_words_and_what_the_user_wrote_escaped():
    with translation.override("en"):
        html = describe_causes([cause("kept"), cause("overdue", delta=-0.3)])
    assert html == (
        "+0.3: kept “Cook &lt;b&gt;dinner&lt;/b&gt;”, March 4, 2026; "
        "\u22120.3: “Cook &lt;b&gt;dinner&lt;/b&gt;” is overdue, March 4, 2026"
    )


def test_a_breach_without_words_and_the_start():
    with translation.override("en"):
        assert describe_causes([cause("breach", text="", delta=-2)]) == (
            "\u22122.0: new breach, March 4, 2026"
        )
        assert describe_causes([cause("start", text="", delta=0)]) == (
            "0.0: starting point, March 4, 2026"
        )


def test_in_japanese():
    with translation.override("ja"):
        html = describe_causes([cause("broken", text="皿洗い", delta=-1.2), cause("kept")])
    assert html.startswith("\u22121.2：「皿洗い」を破った（2026年3月4日）")
    assert "Cook &lt;b&gt;dinner&lt;/b&gt;" in html


# The dashboard's rows and entries written in Python and remembered: the same HTML the
# templates they replace wrote, in each language.

POINT = Point(DAY, 5.25, -0.35, (cause("kept"), cause("breach", text="", delta=-0.65)))
TEMPLATE_ROW = (
    '{% load journal_tags %}<tr><td>{{ point.day|date:"SHORT_DATE_FORMAT" }}</td>'
    "<td>{{ point.score|floatformat:1 }}</td><td>{{ point.delta|signed }}</td>"
    "<td>{{ point.causes|describe_causes }}</td></tr>"
)
TEMPLATE_WHY = (
    '{% load journal_tags %}<li><span class="delta {% if point.delta < 0 %}down{% else %}up'
    '{% endif %}">{{ point.delta|signed }}</span><span class="small muted">'
    '{{ point.day|date:"DATE_FORMAT" }}</span><div>{{ point.causes|describe_causes }}</div></li>'
)
TEMPLATE_MILESTONE = (
    '{% load i18n %}<li>{% if milestone.key == "kept" %}{% if milestone.value == 1 %}'
    '{% translate "First promise kept" %}{% else %}{% blocktranslate with n=milestone.value %}'
    '{{ n }} promises kept{% endblocktranslate %}{% endif %}{% elif milestone.key == "in_a_row" %}'
    "{% blocktranslate with n=milestone.value %}{{ n }} kept in a row{% endblocktranslate %}"
    '{% elif milestone.key == "day_streak" %}{% blocktranslate with n=milestone.value %}{{ n }}'
    "-day streak{% endblocktranslate %}{% else %}{% blocktranslate with n=milestone.value %}"
    'Score passed {{ n }}{% endblocktranslate %}{% endif %} <span class="small muted">'
    '{{ milestone.day|date:"DATE_FORMAT" }}</span></li>'
)


def render(source, **context):
    return Template(source).render(Context(context))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_days_row_and_entry_are_what_the_templates_wrote(language):
    with translation.override(language):
        assert day_row(POINT) == render(TEMPLATE_ROW, point=POINT)
        assert why_item(POINT).replace("\n", "") == render(TEMPLATE_WHY, point=POINT)
        assert "Cook &lt;b&gt;dinner&lt;/b&gt;" in day_row(POINT)
        for fmt in ("DATE_FORMAT", "SHORT_DATE_FORMAT", "YEAR_MONTH_FORMAT"):
            assert day(DAY, fmt) == render(f'{{{{ d|date:"{fmt}" }}}}', d=DAY)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "key, value", [("kept", 1), ("kept", 10), ("in_a_row", 5), ("day_streak", 7), ("score", 6)]
)
def test_a_milestone_is_what_the_template_wrote(language, key, value):
    milestone = Milestone(key, value, DAY)
    with translation.override(language):
        assert milestone_item(milestone) == render(TEMPLATE_MILESTONE, milestone=milestone)


TEMPLATE_SUMMARY = (
    "{% load i18n journal_tags %}{% with first=points.0 last=points|last %}"
    '{% blocktranslate with start=first.day|day:"DATE_FORMAT" end=last.day|day:"DATE_FORMAT" '
    "from=first.score|floatformat:1 to=last.score|floatformat:1 %}From {{ start }} to {{ end }} "
    "your track record went from {{ from }} to {{ to }}.{% endblocktranslate %}{% if checkins %} "
    "{% blocktranslate count counter=checkins|length %}{{ counter }} check-in in this range."
    "{% plural %}{{ counter }} check-ins in this range.{% endblocktranslate %}{% endif %}"
    "{% endwith %}"
)
TEMPLATE_CHECKIN_ROW = (
    '{% load journal_tags %}<tr><td>{{ c.date|day:"SHORT_DATE_FORMAT" }}</td>'
    "<td>{{ c.felt_trust }}/10</td></tr>"
)
CheckInRow = namedtuple("CheckInRow", "pk date felt_trust")  # as journal.dashboard reads them


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("count", [0, 1, 3, 1200])
def test_the_chart_summary_is_what_the_template_wrote(language, count):
    points = [POINT, Point(DAY + timedelta(days=29), 7.96, 0.0, ())]
    checkins = [CheckInRow(n, DAY, 6) for n in range(count)]
    with translation.override(language):
        html = render("{% load journal_tags %}{% chart_summary p c %}", p=points, c=checkins)
        assert html == render(TEMPLATE_SUMMARY, points=points, checkins=checkins)
        assert chart_summary(points[:1], []) == render(TEMPLATE_SUMMARY, points=points[:1])
    assert ("check-in" in html) == (count > 0 and language == "en")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_checkin_row_is_what_the_template_wrote(language):
    checkins = [CheckInRow(1, DAY, 7), CheckInRow(2, DAY + timedelta(days=3), 10)]
    with translation.override(language):
        assert checkin_row(checkins[0]) == render(TEMPLATE_CHECKIN_ROW, c=checkins[0])
        assert render("{% load journal_tags %}{{ c|checkin_rows }}", c=checkins) == "".join(
            render(TEMPLATE_CHECKIN_ROW, c=c) for c in checkins
        )


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_joined_filters_write_each_item_in_turn(language):
    later = POINT._replace(day=DAY + timedelta(days=1), delta=-0.5)
    milestones = [Milestone("kept", 1, DAY), Milestone("score", 6, DAY)]
    with translation.override(language):
        html = render("{% load journal_tags %}{{ p|day_rows }}|{{ p|why_items }}", p=[POINT, later])
        assert html == f"{day_row(POINT)}{day_row(later)}|{why_item(POINT)}{why_item(later)}"
        assert render("{% load journal_tags %}{{ m|milestone_items }}", m=milestones) == "".join(
            milestone_item(m) for m in milestones
        )
        assert render("{% load journal_tags %}[{{ n|day_rows }}]", n=[]) == "[]"


def test_remembered_per_language():
    with translation.override("en"):
        english = day_row(POINT)
    with translation.override("ja"):
        japanese = day_row(POINT)
    assert "March 4, 2026" in english
    assert "2026年3月4日" in japanese
    assert english != japanese


@pytest.fixture
def tomorrow(monkeypatch):
    """A function that makes journal_tags' today the day after the real one."""

    class Tomorrow(date):
        @classmethod
        def today(cls):
            return date.today() + timedelta(days=1)

    return lambda: monkeypatch.setattr(journal_tags, "date", Tomorrow)


def test_what_people_wrote_is_remembered_no_longer_than_a_day(tomorrow):
    with translation.override("en"):
        day_row(POINT)
        hits = journal_tags.day_row.cache_info().hits
        day_row(POINT)
        assert journal_tags.day_row.cache_info().hits == hits + 1
        tomorrow()
        day_row(POINT)  # a new day: all forgotten, and written again
        assert journal_tags.day_row.cache_info().hits == 0
        assert journal_tags.day_row.cache_info().currsize == 1


def test_a_list_is_remembered_per_language_and_day_too(tomorrow):
    """The joined filters look the language and the day up once for their whole list."""
    with translation.override("en"):
        english = journal_tags.day_rows([POINT])
    with translation.override("ja"):
        japanese = journal_tags.day_rows([POINT])
        assert japanese == day_row(POINT) != english
        hits = journal_tags.day_row.cache_info().hits
        journal_tags.day_rows([POINT])
        assert journal_tags.day_row.cache_info().hits == hits + 1
        tomorrow()
        assert journal_tags.day_rows([POINT]) == japanese  # written again on a new day
        assert journal_tags.day_row.cache_info().hits == 0


@pytest.mark.parametrize(
    "arguments",
    [
        "'journal:promise_new'",
        "'journal:relationship' 7",
        "'relationship_dashboard' pk",
        "'guides:lesson' 'winning-back-a-partner' 'what-to-be-ready-for'",
    ],
)
def test_a_remembered_url_is_the_url_tags(arguments):
    """The dashboard's fragments, rendered again on every click, link with remembered_url:
    the same URL as {% url %} gives, for the same arguments, and `as` names it likewise."""
    context = Context({"pk": 12})
    url = Template("{% url " + arguments + " %}").render(context)
    remembered = Template("{% load journal_tags %}{% remembered_url " + arguments + " %}")
    assert remembered.render(context) == url
    named = "{% load journal_tags %}{% remembered_url " + arguments + " as link %}[{{ link }}]"
    assert Template(named).render(context) == f"[{url}]"


def test_a_remembered_url_follows_the_url_configuration_in_use():
    template = Template("{% load journal_tags %}{% remembered_url 'journal:relationship' 7 %}")
    assert template.render(Context()) == "/journal/relationships/7/"
    try:
        set_urlconf("tests.journal.urls_elsewhere")
        assert template.render(Context()) == "/elsewhere/journal/relationships/7/"
    finally:
        set_urlconf(None)
    assert template.render(Context()) == "/journal/relationships/7/"


def test_once_per_renders_its_words_once_for_each_value():
    """The dashboard's headings and legends (the same words for every chart of a range in a
    language) are rendered once per process, not looked up in the cache on every click."""
    renders = []

    def rendering():
        renders.append(1)
        return len(renders)

    template = Template(
        "{% load journal_tags %}{% once_per key %}<h2>{{ rendering }}</h2>{% endonce_per %}"
    )

    def render(key, language):
        with translation.override(language):
            return template.render(Context({"key": key, "rendering": rendering}))

    assert render("30", "en") == "<h2>1</h2>"
    assert render("30", "en") == "<h2>1</h2>"
    assert render("all", "en") == "<h2>2</h2>"
    assert render("30", "ja") == "<h2>3</h2>"
    assert render("30", "en") == "<h2>1</h2>"
    assert len(renders) == 3
