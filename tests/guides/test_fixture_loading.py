import json

from django.conf import settings
from django.core.management import call_command

from guides.models import Guide, Lesson, LessonProgress, ReflectionPrompt, SuggestedPromise

MODELS = [Guide, Lesson, ReflectionPrompt, SuggestedPromise]
FIXTURES = sorted((settings.BASE_DIR / "fixtures").glob("*.json"))


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _load(*paths):
    call_command("loaddata", *(str(path) for path in paths), verbosity=0)


def test_there_is_one_fixture_per_article():
    assert len(FIXTURES) == 4


def test_loading_twice_creates_no_duplicates(lessons):
    first = _counts()
    assert all(first.values()), first

    _load(*FIXTURES)

    assert _counts() == first


def test_loading_an_edited_fixture_updates_rows_in_place(lessons, alice, tmp_path):
    lesson = Lesson.objects.get(slug="sincere-apology")
    prompt = lesson.prompts.get(position=1)
    LessonProgress.objects.create(user=alice, lesson=lesson, status="done")
    before = _counts()

    source = settings.BASE_DIR / "fixtures" / "guide-001-winning-back-trust.json"
    objects = json.loads(source.read_text(encoding="utf-8"))
    for obj in objects:
        fields = obj["fields"]
        if obj["model"] == "guides.lesson" and fields["slug"] == "sincere-apology":
            fields["title_en"] = "Apologise first (edited)"
            fields["title_ja"] = "まず謝る（編集済み）"
        if obj["model"] == "guides.reflectionprompt" and fields["lesson"] == ["sincere-apology"]:
            fields["text_en"] = f"Edited prompt {fields['position']}?"
    edited = tmp_path / "guide-001-winning-back-trust.json"
    edited.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")

    _load(edited)

    assert _counts() == before
    lesson.refresh_from_db()
    prompt.refresh_from_db()
    assert lesson.title_en == "Apologise first (edited)"
    assert lesson.title_ja == "まず謝る（編集済み）"
    assert prompt.text_en == "Edited prompt 1?"
    assert LessonProgress.objects.get(user=alice).lesson_id == lesson.pk


def test_guides_have_unique_contiguous_positions(lessons):
    positions = list(Guide.objects.values_list("position", flat=True))

    assert positions == list(range(positions[0], positions[0] + len(positions)))


def test_every_guide_has_lessons_with_contiguous_positions(lessons):
    positions = {
        guide.slug: [lesson.position for lesson in guide.lessons.all()]
        for guide in Guide.objects.prefetch_related("lessons")
    }

    assert len(positions) == len(FIXTURES)
    assert all(
        numbers and numbers == list(range(1, len(numbers) + 1)) for numbers in positions.values()
    ), positions


def test_prompts_and_suggestions_have_contiguous_positions(lessons):
    problems = []
    for lesson in Lesson.objects.prefetch_related("prompts", "suggested_promises"):
        for name in ["prompts", "suggested_promises"]:
            positions = [part.position for part in getattr(lesson, name).all()]
            if positions != list(range(1, len(positions) + 1)):
                problems.append(f"{lesson.slug}.{name}: {positions}")

    assert not problems, problems
