from django.contrib import admin

from guides.models import Guide, Lesson, LessonProgress, ReflectionPrompt, SuggestedPromise


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ["position", "slug", "title_en", "title_ja"]
    show_change_link = True
    extra = 0


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["title_en", "title_ja", "slug", "position", "source_file"]
    inlines = [LessonInline]


class ReflectionPromptInline(admin.TabularInline):
    model = ReflectionPrompt
    extra = 0


class SuggestedPromiseInline(admin.TabularInline):
    model = SuggestedPromise
    extra = 0


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title_en", "guide", "position", "slug"]
    list_filter = ["guide"]
    search_fields = ["title_en", "title_ja", "slug"]
    inlines = [ReflectionPromptInline, SuggestedPromiseInline]


@admin.register(LessonProgress)
class LessonProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "lesson", "status", "updated_at"]
    list_filter = ["status"]
    raw_id_fields = ["user"]
