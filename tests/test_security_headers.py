"""What every response carries, and the mounts that are not there."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/django-admin/", "/django-admin/login/"])
def test_the_second_admin_mount_is_gone(client, path):
    """One admin (Wagtail's, behind two factors for staff): no Django admin login
    page to guess passwords on."""
    assert client.get(path).status_code == 404
    assert client.post(path, {"username": "root", "password": "x"}).status_code == 404


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/login/", "/api/v1/ballots", "/api/v1/docs", "/no-such-page/", "/admin/login/"],
)
def test_every_response_carries_a_policy(client, path):
    response = client.get(path)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-eval'" not in policy.get("script-src", [])


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/docs"])
def test_the_site_allows_no_inline_script_without_its_nonce(client, path):
    script_src = _policy(client.get(path))["script-src"]
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src


@pytest.mark.django_db
def test_the_admins_inline_allowances_stay_under_admin(client, superuser):
    client.force_login(superuser)
    admin = _policy(client.get("/admin/locked-logins/"))
    assert "'unsafe-inline'" in admin["script-src"]
    site = _policy(client.get("/accounts/profile/"))
    assert "'unsafe-inline'" not in site["script-src"]
    assert "'unsafe-inline'" not in site["style-src"]


@pytest.mark.django_db
def test_an_inline_style_gets_the_responses_nonce(client):
    """The personal ballot link page keeps its styles inline (no other request on a slow
    phone): they carry the nonce that the header names."""
    response = client.get("/ballots/v/not-a-real-token/")
    nonce = re.search(r'<style nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in _policy(response)["style-src"]


def _production_env(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV")
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="chaintable.example",
        BASE_URL="https://chaintable.example",
        DEBUG="0",
        **extra,
    )
    return env


def test_check_deploy_is_clean_with_nothing_silenced():
    """`manage.py check --deploy` as a release runs it: no issue, none silenced."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=_production_env(),
        cwd=settings.BASE_DIR,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_send_a_years_hsts_with_preload():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        capture_output=True,
        text=True,
        env=_production_env(),
        cwd=settings.BASE_DIR,
        timeout=180,
    )
    assert result.stdout.split()[-4:] == ["31536000", "True", "True", "True"], result.stderr


@pytest.mark.django_db
def test_hsts_header_on_a_secure_request(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_PRELOAD = settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
