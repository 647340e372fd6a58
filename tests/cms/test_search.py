"""Site-wide search: what a reader may not read never shows, whatever they search for.

One word ("zinnia") is written in every kind of row, in public rows and in private ones
(a members-only round and its clauses, comments and discussion, a closed group, a draft
ballot, the members' room, an applicant organisation). Private rows also carry
"PRIVATEMARK". Every search — each type, each group, each page — is fetched as an
anonymous reader and as a member of another group: PRIVATEMARK never appears. The
group's member finds the private rows.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import Audience, Message, Thread
from governance.models import Ballot, BallotStatus, GroupRole, VotingRule, WorkingGroupStatus
from governance.models.organisations import MembershipStatus
from tests.consultations.test_views import comment, period, standard, version
from tests.factories import OrganisationFactory, UserFactory, WorkingGroupFactory, give_role

pytestmark = pytest.mark.django_db

WORD = "zinnia"
MARK = "PRIVATEMARK"


def message(thread, author, body, sequence):
    return Message.objects.create(
        thread=thread, author=author, body=body, sequence=sequence, created_at=timezone.now()
    )


def ballot(group, title, *, status=BallotStatus.OPEN):
    now = timezone.now()
    return Ballot.objects.create(
        working_group=group,
        title=title,
        motion=f"The group adopts the {WORD} text.",
        rule=VotingRule.objects.create(working_group=group, name=f"Rule {title}"),
        status=status,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=1),
    )


class World:
    def __init__(self, copies: int = 1):
        self.group = WorkingGroupFactory(name="Traceability", slug="traceability")
        self.other = WorkingGroupFactory(name="Finance", slug="finance")
        self.closed = WorkingGroupFactory(
            name=f"Closed {MARK}", slug="closed", status=WorkingGroupStatus.CLOSED
        )
        self.closed.mandate = f"<p>{WORD}</p>"
        self.closed.save()
        self.member = UserFactory(display_name="Group Member")
        give_role(self.member, self.group, GroupRole.MEMBER)
        self.outsider = UserFactory(display_name="Other Member")
        give_role(self.outsider, self.other, GroupRole.MEMBER)
        author = UserFactory(display_name="Commenter")
        for n in range(copies):
            std = standard(
                self.group,
                title=f"Site Safety {n}",
                slug=f"site-safety-{n}",
                summary=f"The {WORD} standard.",
            )
            public = version(std, "1.0", [("1", f"Scope {WORD}", f"Public {WORD} clause.")])
            public_round = period(public, instructions=f"Comment on the {WORD} draft.")
            comment(public_round, author, body=f"A public {WORD} comment.")
            private = version(std, "2.0", [("1", f"Heading {MARK}", f"{WORD} {MARK} body")])
            members_round = period(
                private, audience=Audience.MEMBERS, instructions=f"{WORD} {MARK} instructions"
            )
            comment(members_round, author, body=f"{WORD} {MARK} members comment")
            message(
                Thread.objects.create(consultation=public_round),
                author,
                f"Public {WORD} message {n}",
                1,
            )
            message(
                Thread.objects.create(consultation=members_round),
                author,
                f"{WORD} {MARK} members-round message",
                1,
            )
            ballot(self.group, f"Public {WORD} ballot {n}")
            ballot(self.group, f"Draft {MARK} {n}", status=BallotStatus.DRAFT)
            ballot(self.closed, f"Closed group {MARK} {n}")
            OrganisationFactory(
                name=f"Member {WORD} {n}",
                slug=f"member-{n}",
                membership_status=MembershipStatus.MEMBER,
                description=WORD,
            )
            OrganisationFactory(
                name=f"Applicant {MARK} {n}",
                slug=f"applicant-{n}",
                membership_status=MembershipStatus.APPLICANT,
                description=WORD,
            )
        room = Thread.objects.create(working_group=self.group)
        message(room, self.member, f"{WORD} {MARK} members' room", 1)


def search_urls() -> list[str]:
    base = reverse("site:search")
    # The queries are in lower case: the page repeats them, the rows say PRIVATEMARK.
    mark = MARK.lower()
    urls = [f"{base}?q={WORD}", f"{base}?q={mark}", f"{base}?q={WORD}+{mark}"]
    for kind in (
        "decision",
        "standard",
        "clause",
        "consultation",
        "comment",
        "ballot",
        "group",
        "organisation",
        "discussion",
    ):
        for q in (WORD, mark):
            urls.append(f"{base}?q={q}&kind={kind}")
            urls.append(f"{base}?q={q}&kind={kind}&page=2")
    for slug in ("traceability", "closed"):
        urls.append(f"{base}?q={WORD}&group={slug}")
    return urls


def crawl(client) -> str:
    bodies = []
    for url in search_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    return "\n".join(bodies)


def test_nothing_private_reaches_anonymous_readers_or_other_groups_members(client):
    world = World()
    assert MARK not in crawl(client)
    client.force_login(world.outsider)
    seen = crawl(client)
    assert MARK not in seen
    # ...while the public rows are found, marked in their snippets.
    for text in (
        "Site Safety 0",
        "Public zinnia ballot 0",
        "Member zinnia 0",
        "A public <mark>zinnia</mark> comment",
        "Public <mark>zinnia</mark> message 0",
    ):
        assert text in seen


def test_the_groups_members_find_their_private_rows(client):
    world = World()
    client.force_login(world.member)
    body = client.get(reverse("site:search"), {"q": f"{WORD} {MARK.lower()}"}).content.decode()
    assert "members-round message" in body
    assert "members&#x27; room" in body or "members' room" in body
    assert "Heading PRIVATEMARK" in body
    # Still not another group's, nor a draft ballot (those stay on the ballot pages), nor
    # comments of members-only rounds (search shows the comments that are public).
    assert "members comment" not in body
    assert "Closed group" not in body
    assert "Draft PRIVATEMARK" not in body


def test_results_link_where_they_are_read(client):
    World()
    response = client.get(reverse("site:search"), {"q": WORD, "kind": "standard"})
    assert reverse("consultations:standard", args=["site-safety-0"]) in response.content.decode()
    response = client.get(reverse("site:search"), {"q": "nothingmatches"})
    assert "Nothing found" in response.content.decode()


def test_filtered_by_group(client):
    world = World()
    other_std = standard(world.other, title=f"Finance {WORD}", slug="finance-std")
    assert other_std
    body = client.get(reverse("site:search"), {"q": WORD, "group": "finance"}).content.decode()
    assert f"Finance {WORD}" in body
    assert "Site Safety 0" not in body


def test_in_the_readers_language(client):
    World()
    body = client.get("/fr/search/", {"q": WORD}).content.decode()
    assert "Rechercher" in body
    assert "Normes" in body


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_query_count_does_not_grow_with_the_rows(client, who):
    """The reader's private groups, the group choices, then one search per type and
    the working-group index once: the same for one or six copies of everything."""
    world = World(copies=1)
    if who == "member":
        client.force_login(world.member)
    client.get(reverse("site:search"), {"q": WORD})  # warm per-process caches (sites, locales)
    counts = []
    for extra in (0, 5):
        _more_rows(world, extra)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("site:search"), {"q": WORD}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def _more_rows(world, extra):
    author = UserFactory()
    for n in range(extra):
        std = standard(world.group, title=f"More {n}", slug=f"more-{n}", summary=WORD)
        public = version(std, "1.0", [("1", f"Scope {WORD}", WORD)])
        comment(period(public), author, body=WORD)
        ballot(world.group, f"More {WORD} {n}")


def test_translated_texts_are_found_and_shown_in_the_readers_language(client):
    group = WorkingGroupFactory(name="Traceability", slug="traceability")
    std = standard(group, title="Site Safety", slug="site-safety", summary="Rules for sites.")
    std.title_fr = "Sécurité des sites"
    std.summary_fr = "Règles tournesol pour les sites."
    std.save()
    body = client.get("/fr/search/", {"q": "tournesol"}).content.decode()
    assert "Sécurité des sites" in body
    assert "<mark>tournesol</mark>" in body
    body = client.get("/search/", {"q": "tournesol"}).content.decode()
    assert "Site Safety" in body
