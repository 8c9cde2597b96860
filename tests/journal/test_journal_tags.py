"""The template filters that put the score's causes into words."""

from datetime import date

from django.utils import translation

from journal.scoring import Cause
from journal.templatetags.journal_tags import describe_causes

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
