"""A members-only draft stays the working group's own, wherever its text could leave.

Two standards of one group: the first has a version in force and a newer version
out to a members-only round; the second had a version that only ever went to a
members-only round and was then superseded by an adopted one. Every page, download,
API path, feed, calendar and export is fetched as a stranger and as a member of
another group and searched for the members-only text; the group's members do see it.
"""

import itertools

import pytest
from django.urls import reverse

from consultations import visibility
from consultations.models import Audience, Consultation, DraftVersion, Standard, VersionStatus
from governance.models import GroupRole
from tests.cms.test_public_data_never_leaks import crawl
from tests.consultations.test_standard_pages import _published
from tests.consultations.test_views import closed, period, standard, version
from tests.factories import UserFactory, WorkingGroupFactory, give_role

pytestmark = pytest.mark.django_db

SECRETS = ("MEMBERS-ROUND-HEADING", "MEMBERS-ROUND-BODY", "SUPERSEDED-MEMBERS-BODY")


class World:
    def __init__(self):
        self.group = WorkingGroupFactory(name="Traceability", slug="traceability")
        other = WorkingGroupFactory(name="Finance", slug="finance")
        self.member = UserFactory(display_name="Group Member")
        give_role(self.member, self.group, GroupRole.MEMBER)
        self.outsider = UserFactory(display_name="Other Member")
        give_role(self.outsider, other, GroupRole.MEMBER)

        # In force (public), and the next version out to members only.
        self.first = standard(self.group, title="Site Safety", slug="site-safety")
        in_force = _published(version(self.first, "1.0", [("1", "Scope", "PUBLIC-IN-FORCE")]))
        closed(period(in_force))
        keys = list(in_force.clauses.values_list("key", flat=True))
        self.members_draft = version(
            self.first,
            "2.0",
            [("1", "MEMBERS-ROUND-HEADING", "MEMBERS-ROUND-BODY"), ("2", "Extra", "More")],
            based_on=in_force,
            keys=keys + ["extra-key"],
        )
        self.members_round = period(self.members_draft, audience=Audience.MEMBERS)

        # Went to members only, then superseded by an adopted version.
        self.second = standard(self.group, title="Grievances", slug="grievances")
        old = version(self.second, "0.9", [("1", "Old", "SUPERSEDED-MEMBERS-BODY")])
        closed(period(old, audience=Audience.MEMBERS))
        old.status = VersionStatus.SUPERSEDED
        old.save(update_fields=["status"])
        self.superseded = old
        _published(version(self.second, "1.0", [("1", "New", "PUBLIC-ADOPTED")], based_on=old))


def page_urls() -> list[str]:
    """Every page and download of every standard, version, clause and period."""
    urls = []
    for std in Standard.objects.all():
        urls += [reverse("consultations:standard", args=[std.slug])]
        labels = list(DraftVersion.objects.filter(standard=std).values_list("label", flat=True))
        redline = reverse("consultations:redline", args=[std.slug])
        urls.append(redline)
        urls += [f"{redline}?from={a}&to={b}" for a, b in itertools.permutations(labels, 2)]
        for label in labels:
            urls += [
                reverse("consultations:version_md", args=[std.slug, label]),
                reverse("consultations:version_pdf", args=[std.slug, label]),
            ]
        for key in set(std.versions.values_list("clauses__key", flat=True)):
            urls.append(reverse("consultations:clause_history", args=[std.slug, key]))
    for consultation in Consultation.objects.all():
        urls += [
            reverse(f"consultations:{name}", args=[consultation.pk])
            for name in ("detail", "report", "balance", "matrix_csv")
        ]
    return urls


def fetch_pages(client) -> dict[str, str]:
    bodies = {}
    for url in page_urls():
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        if response.status_code == 200:
            bodies[url] = response.content.decode("utf-8", "replace")
    return bodies


def leaks(bodies: dict[str, str]) -> list[tuple[str, str]]:
    return [(secret, url) for url, body in bodies.items() for secret in SECRETS if secret in body]


@pytest.mark.parametrize("who", ["anonymous", "member of another group"])
def test_a_members_only_draft_never_leaves_for_people_outside_the_group(client, who):
    world = World()
    if who != "anonymous":
        client.force_login(world.outsider)
    pages = fetch_pages(client)
    data = crawl(client)
    assert len(pages) > 10 and len(data) > 40
    assert "PUBLIC-IN-FORCE" in pages["/standards/site-safety/"]
    assert "PUBLIC-ADOPTED" in pages["/standards/grievances/versions/1.0.md"]
    assert leaks(pages) == [] and leaks(data) == []
    # Not an empty answer: these do not exist for them.
    for url in (
        f"/api/v1/versions/{world.members_draft.pk}",
        "/standards/grievances/versions/0.9.md",
        "/standards/grievances/versions/0.9.pdf",
    ):
        assert client.get(url).status_code == 404, url
    clauses = client.get(f"/api/v1/clauses?version={world.members_draft.pk}").json()
    assert clauses["items"] == []


def test_the_groups_members_read_the_draft_on_the_pages(client):
    world = World()
    client.force_login(world.member)
    pages = fetch_pages(client)
    found = {secret for secret, _url in leaks(pages)}
    assert found == set(SECRETS)
    assert any("redline" in url for secret, url in leaks(pages) if secret.startswith("MEMBERS"))
    assert "SUPERSEDED-MEMBERS-BODY" in pages["/standards/grievances/versions/0.9.md"]


def test_the_rule_in_one_place():
    """Public: adopted, or put out to a public round. Members: everything of theirs."""
    world = World()
    public = set(visibility.public_versions().values_list("label", "standard__slug"))
    assert public == {("1.0", "site-safety"), ("1.0", "grievances")}
    assert not visibility.can_read_version(world.outsider, world.members_draft)
    assert visibility.can_read_version(world.member, world.members_draft)
    assert visibility.can_read_version(world.member, world.superseded)
    # A public round makes the draft public, the members-only one notwithstanding.
    period(world.members_draft, audience=Audience.PUBLIC)
    assert visibility.can_read_version(world.outsider, world.members_draft)
    assert visibility.can_read_version(None, world.members_draft)
