"""Every parameter of every API endpoint refuses a bad value with a 422 that names it,
and never answers 500. The sweep reads the endpoints and their parameters from the
published OpenAPI schema, so a new endpoint or parameter is swept too."""

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.contrib.staticfiles import finders

from tests.cms.test_api import build_world

API = "/api/v1"

# Values no parameter of its type may accept (integers: also just past its bounds).
BAD_INTEGERS = ["99999999999999999999", "abc", "1.5", "\x00", ""]
BAD_STRINGS = ["\x00", "a\x00b", "x" * 500, "line\nbreak"]
# Values that are odd but may be valid: they must not break anything either.
ODD_STRINGS = ["<script>alert(1)</script>", "' OR 1=1 --", "%", "ü", "general", "../.."]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One set of rows for the whole sweep (read-only requests)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def operations(world, django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        spec = Client().get(f"{API}/openapi.json").json()
    found = []
    for template, item in spec["paths"].items():
        operation = item["get"]
        for parameter in operation.get("parameters", []):
            found.append((template, operation, parameter))
    return spec, found


def _resolve(spec, schema: dict) -> dict:
    if "$ref" in schema:
        return _resolve(spec, spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    if "anyOf" in schema:
        return _resolve(spec, next(s for s in schema["anyOf"] if s.get("type") != "null"))
    return schema


def _schema_type(spec, schema: dict) -> str:
    schema = _resolve(spec, schema)
    return "enum" if "enum" in schema else schema.get("type", "string")


def _bad_integers(spec, schema: dict) -> list[str]:
    schema = _resolve(spec, schema)
    low, high = schema.get("minimum"), schema.get("maximum")
    assert low is not None and high is not None, schema  # every integer is bounded
    beyond = [str(low - 1), str(high + 1), *(v for v in ("0", "-1") if int(v) < low)]
    return [*dict.fromkeys(beyond), *BAD_INTEGERS]


def _url(template: str, parameter: dict, value: str, good_path: dict) -> str:
    path = template
    for name in re.findall(r"{(\w+)}", template):
        path = path.replace(
            f"{{{name}}}", quote(value if name == parameter["name"] else good_path[name], safe="")
        )
    if parameter["in"] == "query":
        path += f"?{parameter['name']}={quote(value, safe='')}"
    return path


GOOD_PATH = {
    "ballot_id": "1",
    "consultation_id": "1",
    "decision_id": "1",
    "version_id": "1",
    "clause_id": "1",
    "slug": "steering-committee",
}


def test_every_operation_declares_its_404_and_422(operations):
    spec, found = operations
    for template, item in spec["paths"].items():
        responses = item["get"]["responses"]
        if item["get"].get("parameters"):
            assert "422" in responses, template
        if "{" in template:
            assert "404" in responses, template
    assert len(found) >= 30  # limit/offset on every list, filters, path ids


@pytest.mark.django_db
def test_bad_values_are_refused_with_422_naming_the_parameter(client, operations):
    spec, found = operations
    swept = 0
    for template, _operation, parameter in found:
        kind = _schema_type(spec, parameter["schema"])
        bad = _bad_integers(spec, parameter["schema"]) if kind == "integer" else BAD_STRINGS
        if kind == "enum":
            bad = [*bad, "not-a-choice"]
        for value in bad:
            if value == "" and parameter["in"] == "query":
                continue  # an empty query value means "no filter"
            url = _url(template, parameter, value, GOOD_PATH)
            response = client.get(url)
            if parameter["in"] == "path" and response.status_code == 404:
                continue  # "" or "../.." leave the route: no such page
            assert response.status_code == 422, (url, response.status_code, response.content[:200])
            body = response.json()
            assert parameter["name"] in body["message"], (url, body)
            assert "pattern" not in body["message"]  # plain words, no regular expression
            swept += 1
    assert swept > 150


@pytest.mark.django_db
def test_odd_but_harmless_values_never_fail(client, operations):
    spec, found = operations
    for template, _operation, parameter in found:
        kind = _schema_type(spec, parameter["schema"])
        if kind != "string":
            continue
        for value in ODD_STRINGS:
            url = _url(template, parameter, value, GOOD_PATH)
            response = client.get(url)
            assert response.status_code in (200, 404, 422), (url, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["year=0", "year=-1", "year=10000", "offset=99999999999999999999", "working_group=a%00b"],
)
@pytest.mark.parametrize("resource", ["ballots", "decisions"])
def test_the_reported_values(client, world, resource, query):
    response = client.get(f"{API}/{resource}?{query}")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.django_db
def test_a_good_year_still_filters(client, world):
    response = client.get(f"{API}/decisions?year=1999")
    assert response.status_code == 200
    assert response.json()["count"] == 0


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


@pytest.mark.django_db
def test_the_docs_page_loads_its_assets_from_the_site(client):
    """Offline (a workshop in Kolwezi, a laptop on a plane) the docs still work."""
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    parser = _Assets()
    parser.feed(response.content.decode())
    assert any(url.endswith("swagger-ui-bundle.js") for url in parser.urls)
    for url in parser.urls:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), url
