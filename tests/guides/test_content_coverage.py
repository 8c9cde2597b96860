"""docs/content.md maps every recommendation of the four articles to the lessons teaching it."""

import re

import pytest
from django.conf import settings

from guides.models import Guide, Lesson

CONTENT_DOC = settings.BASE_DIR / "docs" / "content.md"
SEEDS = settings.BASE_DIR.parent / "shared" / "seeds"
MIN_SENTENCE_LENGTH = 25
SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*|\n")

REQUIRED = [
    "000#what-trust-is",
    "000#why-it-matters",
    "000#honesty-transparency",
    "000#keeping-promises",
    "000#active-listening",
    "000#consistency",
    "000#respect",
    "000#apologising",
    "000#work-teams",
    "000#work-leaders",
    "000#work-customers",
    "000#regular-communication",
    "000#address-issues-promptly",
    "000#acknowledge-milestones",
    "000#open-dialogue",
    "000#re-establish-boundaries",
    "000#give-it-time",
    *(f"001#{number}" for number in range(1, 26)),
    "002#self-trust-first",
    "002#surface-gestures-backfire",
    "002#myth-never-comes-back",
    "002#myth-words-fix-it",
    "002#myth-someone-else-fixes-it",
    "003#cause-cheating",
    "003#cause-broken-promises",
    "003#cause-lies",
    "003#cause-harsh-words",
    "003#cause-careless-treatment",
    "003#ready-takes-long",
    "003#ready-may-fail",
    "003#ready-more-hurt",
    "003#ready-their-change-is-your-doing",
    "003#ready-apart-may-be-better",
    "003#step-sincere-apology",
    "003#step-stay-with-anxiety",
    "003#step-build-steadily",
    "003#method-report-everything",
    "003#method-meet-often",
    "003#method-fix-your-flaws",
    "003#method-put-them-first",
    "003#method-no-small-lies",
    "003#method-show-affection",
    "003#method-accept-conditions",
    "003#never-laugh-it-off",
    "003#never-excuses",
    "003#never-fed-up",
    "conflict#unreasonable-demands",
]


def _table_rows():
    """(recommendation, lesson slug) for every row of the coverage tables."""
    rows = []
    for line in CONTENT_DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 3:
            continue
        if cells[0] == "recommendation" or set(cells[0]) <= set("-: "):
            continue
        rows.append((cells[0], cells[2]))
    return rows


def _fixture_pairs():
    return {(ref, lesson.slug) for lesson in Lesson.objects.all() for ref in lesson.source_refs}


def test_the_tables_are_read():
    rows = _table_rows()

    assert len(rows) >= len(REQUIRED)
    assert ("001#1", "sincere-apology") in rows


def test_no_row_is_repeated():
    rows = _table_rows()

    assert len(rows) == len(set(rows))


def test_the_tables_cover_every_required_recommendation():
    listed = {ref for ref, _slug in _table_rows()}

    assert not set(REQUIRED) - listed, sorted(set(REQUIRED) - listed)


def test_every_row_names_a_lesson_that_cites_it(lessons):
    wrong = set(_table_rows()) - _fixture_pairs()

    assert not wrong, sorted(wrong)


def test_every_source_ref_of_every_lesson_is_in_the_tables(lessons):
    missing = _fixture_pairs() - set(_table_rows())

    assert not missing, sorted(missing)


def test_every_recommendation_cited_is_a_known_one(lessons):
    cited = {ref for ref, _slug in _fixture_pairs()}

    assert not cited - set(REQUIRED), sorted(cited - set(REQUIRED))


def _sentences(text):
    for sentence in SENTENCE_END.split(text):
        sentence = " ".join(sentence.split())
        if len(sentence) >= MIN_SENTENCE_LENGTH:
            yield sentence


def _lesson_texts():
    for guide in Guide.objects.all():
        yield from (guide.title_en, guide.title_ja, guide.summary_en, guide.summary_ja)
    for lesson in Lesson.objects.prefetch_related("prompts", "suggested_promises"):
        for name in ["title", "summary", "key_points", "why", "dos", "donts"]:
            yield from (getattr(lesson, f"{name}_en"), getattr(lesson, f"{name}_ja"))
        for part in [*lesson.prompts.all(), *lesson.suggested_promises.all()]:
            yield from (part.text_en, part.text_ja)


def _articles():
    if not SEEDS.is_dir():
        pytest.skip(f"The source articles are not beside the clone ({SEEDS}).")
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    assert len(texts) == 4
    return " ".join(" ".join(text.split()) for text in texts)


def _copied(texts, articles):
    return sorted(
        {sentence for text in texts for sentence in _sentences(text) if sentence in articles}
    )


def test_no_sentence_is_copied_from_the_articles(lessons):
    articles = _articles()
    texts = list(_lesson_texts())

    assert sum(1 for text in texts for _sentence in _sentences(text)) > 1000
    assert _copied(texts, articles) == []


def test_the_copy_check_finds_a_copied_sentence():
    articles = _articles()
    original = next(_sentences((SEEDS / "003_517f9eb5321a0a69.txt").read_text(encoding="utf-8")))

    assert _copied([f"Our own words here. {original}"], articles) == [original]
