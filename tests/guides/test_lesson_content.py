"""The lesson content is complete, in both languages, for every lesson."""

import re

from guides.models import EVERYONE, Guide, Kind, Lesson, Size

LESSON_FIELDS = ["title", "summary", "key_points", "why", "dos", "donts"]
LIST_FIELDS = ["key_points", "dos", "donts"]
LANGUAGES = ["en", "ja"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
# A Japanese term the English text teaches by name (001 #18), always with its translation.
JAPANESE_TERMS_IN_ENGLISH = ["報連相"]
SOURCE_REF = re.compile(r"^(000|001|002|003|conflict)#[a-z0-9-]+$")
MAX_DUE_IN_DAYS = 30


def _lessons():
    return list(
        Lesson.objects.select_related("guide").prefetch_related("prompts", "suggested_promises")
    )


def _texts(obj, language, names):
    return {name: getattr(obj, f"{name}_{language}") for name in names}


def _bilingual_texts():
    """(where, language, text) for every translated text of the guides."""
    for guide in Guide.objects.all():
        for language in LANGUAGES:
            for name, text in _texts(guide, language, ["title", "summary"]).items():
                yield f"{guide.slug}.{name}", language, text
    for lesson in _lessons():
        for language in LANGUAGES:
            for name, text in _texts(lesson, language, LESSON_FIELDS).items():
                yield f"{lesson.slug}.{name}", language, text
            for part in [*lesson.prompts.all(), *lesson.suggested_promises.all()]:
                where = f"{lesson.slug}.{type(part).__name__}#{part.position}"
                yield where, language, getattr(part, f"text_{language}")


def test_there_are_lessons(lessons):
    assert Lesson.objects.count() >= 30


def test_every_guide_and_lesson_text_is_filled_in_both_languages(lessons):
    empty = [
        f"{where}_{language}" for where, language, text in _bilingual_texts() if not text.strip()
    ]

    assert not empty, empty


def test_list_fields_have_the_same_items_in_both_languages(lessons):
    problems = []
    for lesson in _lessons():
        for name in LIST_FIELDS:
            english, japanese = (getattr(lesson, f"{name}_{language}") for language in LANGUAGES)
            counts = [len(text.strip().splitlines()) for text in (english, japanese)]
            if counts[0] != counts[1] or counts[0] == 0:
                problems.append(f"{lesson.slug}.{name}: {counts[0]} en, {counts[1]} ja lines")
            if any(not line.strip() for line in (english + "\n" + japanese).strip().splitlines()):
                problems.append(f"{lesson.slug}.{name} has a blank line")

    assert not problems, problems


def test_japanese_texts_are_in_japanese(lessons):
    """Every Japanese text, and every line of a list, has Japanese characters."""
    not_japanese = [
        f"{where}: {line!r}"
        for where, language, text in _bilingual_texts()
        if language == "ja"
        for line in text.splitlines()
        if line.strip() and not JAPANESE.search(line)
    ]

    assert not not_japanese, not_japanese


def test_english_texts_have_no_japanese(lessons):
    with_japanese = []
    for where, language, text in _bilingual_texts():
        if language != "en":
            continue
        for term in JAPANESE_TERMS_IN_ENGLISH:
            text = text.replace(term, "")
        if JAPANESE.search(text):
            with_japanese.append(f"{where}: {JAPANESE.findall(text)}")

    assert not with_japanese, with_japanese


def test_the_japanese_check_tells_the_scripts_apart():
    assert JAPANESE.search("約束を守る")
    assert JAPANESE.search("ありがとう")
    assert JAPANESE.search("カレンダー")
    assert not JAPANESE.search("Keep every promise — and let your phone help (0–10) “quoted”")


def test_every_lesson_has_one_to_three_prompts(lessons):
    counts = {lesson.slug: len(lesson.prompts.all()) for lesson in _lessons()}

    assert all(1 <= count <= 3 for count in counts.values()), counts


def test_every_lesson_has_one_to_three_suggested_promises(lessons):
    counts = {lesson.slug: len(lesson.suggested_promises.all()) for lesson in _lessons()}

    assert all(1 <= count <= 3 for count in counts.values()), counts


def test_suggested_promises_have_valid_sizes_and_due_offsets(lessons):
    invalid = [
        f"{lesson.slug}#{suggestion.position}: {suggestion.size}, {suggestion.due_in_days} days"
        for lesson in _lessons()
        for suggestion in lesson.suggested_promises.all()
        if suggestion.size not in Size.values or not 0 <= suggestion.due_in_days <= MAX_DUE_IN_DAYS
    ]

    assert not invalid, invalid


def test_kinds_and_audiences_come_from_the_allowed_set(lessons):
    allowed = {*Kind.values, EVERYONE}
    problems = [
        f"{guide.slug}.audience: {guide.audience}"
        for guide in Guide.objects.all()
        if not guide.audience or not set(guide.audience) <= allowed
    ]
    for lesson in _lessons():
        if not lesson.kinds or not set(lesson.kinds) <= allowed:
            problems.append(f"{lesson.slug}.kinds: {lesson.kinds}")
        if not set(lesson.starts_path_for) <= set(Kind.values):
            problems.append(f"{lesson.slug}.starts_path_for: {lesson.starts_path_for}")
        if not set(lesson.starts_path_for) <= set(lesson.kinds) and EVERYONE not in lesson.kinds:
            problems.append(f"{lesson.slug} starts a path for kinds it does not suit")

    assert not problems, problems


def test_every_lesson_names_its_sources(lessons):
    problems = []
    for lesson in _lessons():
        refs = lesson.source_refs
        if not refs or len(set(refs)) != len(refs):
            problems.append(f"{lesson.slug}: {refs}")
        problems += [f"{lesson.slug}: {ref!r}" for ref in refs if not SOURCE_REF.match(ref)]
        article = lesson.guide.source_file[:3]
        if not any(ref.startswith(f"{article}#") for ref in refs):
            problems.append(f"{lesson.slug} cites nothing from its own article {article}")

    assert not problems, problems


def test_the_safety_lessons_exist(lessons):
    safety = Lesson.objects.filter(slug__in=["what-to-be-ready-for", "when-to-step-back"])

    assert sorted(lesson.slug for lesson in safety) == ["what-to-be-ready-for", "when-to-step-back"]
    assert all(lesson.prompts.exists() for lesson in safety)


def test_every_relationship_kind_has_one_starting_lesson(lessons):
    starting = {kind: [] for kind in ["partner", "spouse", "work", "friend", "family", "myself"]}
    for lesson in Lesson.objects.all():
        for kind in lesson.starts_path_for:
            starting.setdefault(kind, []).append(lesson.slug)

    assert set(starting) == set(Kind.values)
    assert all(len(slugs) == 1 for slugs in starting.values()), starting
