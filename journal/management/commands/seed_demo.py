"""Create (or recreate) a demo account full of realistic, bilingual journal data.

    manage.py seed_demo --scale small   # a few weeks: screenshots, a newcomer's first look
    manage.py seed_demo --scale heavy   # five years of daily use: the benchmark's heavy user

The data is the same on every run for a given --seed (dates are relative to today), and
written with bulk_create, so the heavy set takes seconds. The lesson fixtures must be loaded.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from guides.models import Lesson, LessonProgress, Progress, ReflectionPrompt
from journal.models import (
    Breach,
    CheckIn,
    Profile,
    Promise,
    Reflection,
    Relationship,
    Status,
    StatusChange,
)


@dataclass(frozen=True)
class Person:
    name: str
    kind: str
    cause: str
    language: str  # the language most of this relationship's entries are written in
    starting_trust: int
    share: float  # of the promises, reflections and check-ins
    breach: str
    later_breaches: tuple = ()  # (fraction of the way from the breach to today, description)


@dataclass(frozen=True)
class Scale:
    days: int
    people: tuple
    promises: int
    reflections: int
    check_ins: int
    lessons_done: int | None  # None: every lesson but the last one read


SCALES = {
    "small": Scale(
        days=26,
        people=(
            Person("美咲", "partner", "lie", "ja", 3, 0.7, "飲み会の帰りが遅いことを隠していた"),
            Person(
                "Myself", "myself", "broken_promise", "en", 4, 0.3, "Kept skipping my own plans"
            ),
        ),
        promises=34,
        reflections=9,
        check_ins=7,
        lessons_done=4,
    ),
    "heavy": Scale(
        days=5 * 365,
        people=(
            Person(
                "美咲",
                "partner",
                "lie",
                "ja",
                2,
                0.55,
                "飲み会の帰りが遅いことを隠していた",
                ((0.3, "また連絡せずに朝まで帰らなかった"),),
            ),
            Person(
                "Morgan (work)",
                "work",
                "work_mistake",
                "en",
                4,
                0.3,
                "Missed the client deadline and didn't warn anyone",
                ((0.6, "Shipped the report with numbers I hadn't checked"),),
            ),
            Person("自分 / Myself", "myself", "broken_promise", "mixed", 5, 0.15, "三日坊主"),
        ),
        promises=2000,
        reflections=1000,
        check_ins=250,
        lessons_done=None,
    ),
}

PROMISE_TEXTS = {
    "en": [
        "Text when I leave work",
        "Call if I'm going to be late",
        "Send the weekly status update by Friday noon",
        "Check the figures twice before sending",
        "Be home for dinner by seven",
        "Ask how their day went, and listen without fixing",
        "Tell them about the meeting before they hear it elsewhere",
        "Put the appointment in the calendar right away",
        "Say no to a task I can't deliver this week",
        "Reply to their message within the hour",
        "Go for a 20-minute walk before breakfast",
        "Own up to the mistake in the stand-up",
        "No phone at the table tonight",
        "Write down what I agreed to in the meeting",
    ],
    "ja": [
        "会社を出るときにLINEする",
        "遅くなるときは必ず電話する",
        "今夜の予定を正直に伝える",
        "帰りは22時までにする",
        "話を最後まで聞いて、言い訳をしない",
        "約束の時間の5分前に着く",
        "スマホのロックを外しておく",
        "休日は一緒に朝ごはんを食べる",
        "家計簿を一緒に確認する",
        "「ありがとう」を毎日ひとつ伝える",
        "寝る前にその日のことを報告する",
        "できない約束はしない、と先に言う",
        "30分早く起きて散歩する",
        "飲み会は一次会で帰る",
    ],
}

REFLECTION_SENTENCES = {
    "en": [
        "I noticed I wanted to explain myself instead of listening.",
        "Keeping the small promise felt like nothing, but they noticed.",
        "I got defensive again when the old topic came up.",
        "It's slower than I hoped. That's fine; the lessons said it would be.",
        "Writing the promise down made it easier to keep.",
        "I said sorry without adding a 'but' this time.",
        "They didn't say anything about it, and I didn't push.",
        "I was tempted to promise more than I could do, and didn't.",
        "Today I caught myself telling a small lie about being busy.",
        "A quiet week. Consistency is boring, and that's the point.",
    ],
    "ja": [
        "言い訳をしたくなったが、最後まで聞けた。",
        "小さな約束でも守ると、相手の表情が少し柔らかくなった。",
        "昔の話が出ると、まだ身構えてしまう。",
        "信頼はすぐには戻らない。焦らないこと。",
        "報告を先にしたら、責められずに済んだ。",
        "できないことを「できない」と言えた。",
        "自分との約束を守れた日は、気持ちが落ち着いている。",
        "相手の不安に付き合うのは思ったより体力がいる。",
        "今日は約束を破ってしまった。正直に伝えた。",
        "一週間、毎日連絡を続けられた。",
    ],
}

CHECK_IN_NOTES = {
    "en": ["", "", "They laughed at my joke again.", "Still guarded.", "A good talk tonight."],
    "ja": ["", "", "少し笑顔が増えた", "まだ距離を感じる", "久しぶりにゆっくり話せた"],
}

SIZES = ("small", "medium", "large")
SIZE_WEIGHTS = (6, 3, 1)
UPCOMING_DAYS = 10
DEFAULT_EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = "Create (or recreate) a demo account with realistic data in English and Japanese."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--email", default=DEFAULT_EMAIL)
        parser.add_argument("--password", help="default: a new random password, printed")
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, scale, email, password, seed, **options):
        lessons = list(Lesson.objects.select_related("guide"))
        if not lessons:
            raise CommandError(
                "No lessons in the database. Load them first: "
                "manage.py loaddata fixtures/*.json (or make fixtures)."
            )
        password = password or secrets.token_urlsafe(12)
        with transaction.atomic():
            user = recreate_user(email, password)
            counts = Seeder(user, SCALES[scale], lessons, random.Random(seed)).run()
        if options["verbosity"]:
            summary = ", ".join(f"{count} {name}" for name, count in counts.items())
            self.stdout.write(f"Demo account ({scale}): {summary}.")
            self.stdout.write(f"Log in at /accounts/login/ as {email} with password {password}")


def recreate_user(email, password):
    User = get_user_model()
    User.objects.filter(email__iexact=email).delete()
    user = User.objects.create_user(username=email, email=email, password=password)
    user.emailaddress_set.create(email=email, primary=True, verified=True)
    Profile.objects.create(user=user, onboarding_finished=True)
    return user


class Seeder:
    def __init__(self, user, scale, lessons, rng):
        self.user, self.scale, self.lessons, self.rng = user, scale, lessons, rng
        self.today = timezone.localdate()
        self.start = self.today - timedelta(days=scale.days)
        self.prompts = list(ReflectionPrompt.objects.order_by("pk"))
        self.suggestions = {
            lesson.pk: list(lesson.suggested_promises.all())
            for lesson in Lesson.objects.prefetch_related("suggested_promises")
        }

    def run(self):
        relationships = Relationship.objects.bulk_create(
            Relationship(
                owner=self.user,
                name=person.name,
                kind=person.kind,
                breach_cause=person.cause,
                breach_date=self.start,
                breach_description=person.breach,
                starting_trust=person.starting_trust,
            )
            for person in self.scale.people
        )
        for index, relationship in enumerate(relationships):
            # Added on the day it happened, the first person last: the dashboard opens on them.
            evening = timezone.make_aware(datetime.combine(self.start, time(21)))
            created = evening - timedelta(minutes=index)
            Relationship.objects.filter(pk=relationship.pk).update(created_at=created)
        pairs = list(zip(self.scale.people, relationships, strict=True))
        breaches = Breach.objects.bulk_create(
            Breach(
                relationship=relationship,
                date=self.day_at(fraction),
                cause=person.cause,
                description=description,
            )
            for person, relationship in pairs
            for fraction, description in person.later_breaches
        )
        promises = Promise.objects.bulk_create(
            promise
            for person, relationship in pairs
            for promise in self.promises(person, relationship)
        )
        changes = StatusChange.objects.bulk_create(
            StatusChange(
                promise=promise,
                actor=self.user,
                at=promise.resolved_at,
                from_status=Status.OPEN,
                to_status=promise.status,
            )
            for promise in promises
            if promise.status != Status.OPEN
        )
        reflections = Reflection.objects.bulk_create(
            reflection
            for person, relationship in pairs
            for reflection in self.reflections(person, relationship, promises)
        )
        check_ins = CheckIn.objects.bulk_create(
            check_in
            for person, relationship in pairs
            for check_in in self.check_ins(person, relationship)
        )
        progress = LessonProgress.objects.bulk_create(self.lesson_progress())
        return {
            "relationships": len(relationships),
            "new breaches": len(breaches),
            "promises": len(promises),
            "status changes": len(changes),
            "reflections": len(reflections),
            "check-ins": len(check_ins),
            "lessons with progress": len(progress),
        }

    def day_at(self, fraction):
        return self.start + timedelta(days=round(self.scale.days * fraction))

    def share(self, total, person):
        """The person's part of `total`; the last person gets the rest, so parts add up."""
        people = self.scale.people
        if person is people[-1]:
            return total - sum(self.share(total, other) for other in people[:-1])
        return round(total * person.share)

    def language(self, person):
        return self.rng.choice(("en", "ja")) if person.language == "mixed" else person.language

    def moment(self, day):
        hour = self.rng.choice((7, 8, 12, 18, 21, 22))
        return timezone.make_aware(datetime.combine(day, time(hour, self.rng.randrange(60))))

    def promises(self, person, relationship):
        """Due dates spread over the whole span, a few still to come; keeping gets likelier."""
        count = self.share(self.scale.promises, person)
        span = self.scale.days + UPCOMING_DAYS
        for due_offset in sorted(self.rng.randrange(span) for _ in range(count)):
            due = self.start + timedelta(days=due_offset)
            size = self.rng.choices(SIZES, SIZE_WEIGHTS)[0]
            text, lesson = self.promise_text(person)
            promise = Promise(
                relationship=relationship, text=text, due_date=due, size=size, lesson=lesson
            )
            self.settle(promise, progress=due_offset / span)
            yield promise

    def promise_text(self, person):
        language = self.language(person)
        if self.rng.random() < 0.2:
            lesson = self.rng.choice(self.lessons)
            if self.suggestions[lesson.pk]:
                suggestion = self.rng.choice(self.suggestions[lesson.pk])
                return getattr(suggestion, f"text_{language}"), lesson
        return self.rng.choice(PROMISE_TEXTS[language]), None

    def settle(self, promise, progress):
        """Open while upcoming (and now and then a few days past due), else kept or broken."""
        days_left = (promise.due_date - self.today).days
        if days_left > 0 or (days_left > -4 and self.rng.random() < 0.4):
            return
        kept_chance = 0.6 + 0.3 * progress
        promise.status = Status.KEPT if self.rng.random() < kept_chance else Status.BROKEN
        late = self.rng.choice((0, 0, 0, 1))
        promise.resolved_on = min(promise.due_date + timedelta(days=late), self.today)
        promise.resolved_at = self.moment(promise.resolved_on)
        if promise.status == Status.BROKEN and self.rng.random() < 0.5:
            promise.note = self.rng.choice(("Forgot.", "忘れていた。", "I chose the easy way out."))

    def reflections(self, person, relationship, promises):
        own_promises = [p for p in promises if p.relationship_id == relationship.pk]
        for _ in range(self.share(self.scale.reflections, person)):
            day = self.start + timedelta(days=self.rng.randrange(self.scale.days + 1))
            language = self.language(person)
            sentences = self.rng.sample(REFLECTION_SENTENCES[language], self.rng.randint(1, 3))
            joiner = "" if language == "ja" else " "
            reflection = Reflection(
                relationship=relationship, date=day, text=joiner.join(sentences)
            )
            if self.prompts and self.rng.random() < 0.3:
                reflection.prompt = self.rng.choice(self.prompts)
            about = self.rng.choice(own_promises)
            if about.due_date <= day and self.rng.random() < 0.3:
                reflection.promise = about
            yield reflection

    def check_ins(self, person, relationship):
        """How it feels: climbs from the starting estimate, with ups and downs."""
        count = self.share(self.scale.check_ins, person)
        for offset in sorted(self.rng.sample(range(self.scale.days + 1), count)):
            climb = 4 * offset / self.scale.days
            felt = round(person.starting_trust + climb + self.rng.uniform(-1.5, 1.5))
            yield CheckIn(
                relationship=relationship,
                date=self.start + timedelta(days=offset),
                felt_trust=min(max(felt, 0), 10),
                note=self.rng.choice(CHECK_IN_NOTES[self.language(person)]),
            )

    def lesson_progress(self):
        """Lessons read in course order; the last one touched is still in progress."""
        done = self.scale.lessons_done
        read = self.lessons if done is None else self.lessons[: done + 1]
        for lesson in read:
            status = Progress.IN_PROGRESS if lesson is read[-1] else Progress.DONE
            completed_at = timezone.now() if status == Progress.DONE else None
            yield LessonProgress(
                user=self.user, lesson=lesson, status=status, completed_at=completed_at
            )
