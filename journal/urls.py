from django.urls import path

from journal import views

app_name = "journal"
urlpatterns = [
    path("", views.index, name="index"),
    path("welcome/", views.onboarding, name="onboarding"),
    path("welcome/skip/", views.onboarding_skip, name="onboarding_skip"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/time-zone/", views.set_timezone, name="set_timezone"),
    path("settings/calendar/renew/", views.calendar_renew, name="calendar_renew"),
    path("settings/export/", views.export_view, name="export"),
    path("settings/import/", views.import_view, name="import"),
    path("settings/delete-account/", views.delete_account, name="delete_account"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("relationships/new/", views.relationship_new, name="relationship_new"),
    path("relationships/<int:pk>/", views.relationship_detail, name="relationship"),
    path("relationships/<int:pk>/edit/", views.relationship_edit, name="relationship_edit"),
    path(
        "relationships/<int:pk>/archive/", views.relationship_archive, name="relationship_archive"
    ),
    path("relationships/<int:pk>/delete/", views.relationship_delete, name="relationship_delete"),
    path("relationships/<int:pk>/breaches/new/", views.breach_new, name="breach_new"),
    path("relationships/<int:pk>/check-ins/new/", views.checkin_new, name="checkin_new"),
    path("check-ins/<int:pk>/delete/", views.checkin_delete, name="checkin_delete"),
    path("promises/new/", views.promise_new, name="promise_new"),
    path("promises/<int:pk>/edit/", views.promise_edit, name="promise_edit"),
    path("promises/<int:pk>/delete/", views.promise_delete, name="promise_delete"),
    path("promises/<int:pk>/status/", views.promise_status, name="promise_status"),
    path("promises/<int:pk>/undo/", views.promise_undo, name="promise_undo"),
    path("reflections/new/", views.reflection_new, name="reflection_new"),
    path("reflections/<int:pk>/edit/", views.reflection_edit, name="reflection_edit"),
    path("reflections/<int:pk>/delete/", views.reflection_delete, name="reflection_delete"),
]
