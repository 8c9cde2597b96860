from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from journal import dashboard
from trustrepair import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/<int:pk>/", dashboard.relationship_dashboard, name="relationship_dashboard"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", views.switch_language, name="set_language"),
    path("guides/", include("guides.urls")),
    path("journal/", include("journal.urls")),
    path("admin/", admin.site.urls),
]
if settings.BENCH_ENABLED:
    urlpatterns.append(path("bench/floor/", views.floor, name="bench_floor"))
