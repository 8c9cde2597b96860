from django.urls import path

from guides import views

app_name = "guides"
urlpatterns = [
    path("", views.guide_list, name="list"),
    path("<slug:guide_slug>/", views.guide_detail, name="guide"),
    path("<slug:guide_slug>/<slug:lesson_slug>/", views.lesson_detail, name="lesson"),
    path(
        "<slug:guide_slug>/<slug:lesson_slug>/progress/",
        views.lesson_progress,
        name="lesson_progress",
    ),
]
