"""The bare side of bench/pages.py: Django with one view and nothing else, under the
same gunicorn settings as the site (the baseline the site's pages are compared with)."""

SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.bare_urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
