"""The site's URLs under /elsewhere/: a second URL configuration for the remembered links'
test (tests/journal/test_models.py)."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("trustrepair.urls"))]
