"""A secret ballot leaves no link between a seat and a choice: not in any table, not in
the audit log, not on the bulletin, not in the live events. Small chambers are withheld
from what is published.

The scan is deliberately blunt: every row of every table (and every event and bulletin
row) is classified for *seat references* (a seat, its roll entry, its participation,
delegation or attestation; a person sitting on it, acting for it or facilitating it, by
id or name; a seat label) and *choice references* (an option of the ballot by id, key or
label; a secret choice's id or receipt code; the text of a reason). No single row may
hold both. Names are made distinctive so a substring search cannot match by accident.
"""

import asyncio
import datetime
import json
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from governance import audit, ballot_counting, bulletin, events, services, tally
from governance.models import (
    AssistedVoteAttestation,
    AuditEvent,
    Ballot,
    BallotOption,
    Chamber,
    Delegation,
    GroupRole,
    OptionSet,
    Participation,
    RollCallChoice,
    RollEntry,
    Seat,
    SeatAssignment,
    SeatRole,
    Secrecy,
    SecretChoice,
    User,
    VotingRule,
)
from tests.factories import ChamberFactory, SeatFactory, UserFactory, give_role, seat_person

PLANS = [("zebra-plan", "Zebra Plan", False), ("quokka-plan", "Quokka Plan", False)]
PLANS.append(("ibis-plan", "Ibis Plan", False))
REASON = "Because-of-the-marabou-clause"
VOTES = ["zebra-plan", "quokka-plan", "ibis-plan", "zebra-plan"]  # Kudu
VOTES += ["zebra-plan", "quokka-plan"]  # Okapi
VOTES += ["zebra-plan", "ibis-plan", "quokka-plan"]  # Pangolin
# chamber → (seats, how many vote): 4 of 4, 2 of 3 (below min_cell), 3 of 3, 0 of 1.
LAYOUT = {"Kudu": (4, 4), "Okapi": (3, 2), "Pangolin": (3, 3), "Serval": (1, 0)}


def person(name: str) -> User:
    return UserFactory(username=name.lower(), display_name=name, email=f"{name.lower()}@ex.org")


def _receive_all(layer, channel, quiet: float = 1.0, limit: int = 500) -> list[dict]:
    """Everything delivered to `channel` until it stays quiet for `quiet` seconds."""

    async def drain():
        got = []
        while len(got) < limit:
            try:
                got.append(await asyncio.wait_for(layer.receive(channel), quiet))
            except TimeoutError:
                break
        return got

    return async_to_sync(drain)()


@pytest.fixture
def secret(group, django_capture_on_commit_callbacks):
    """A secret plurality ballot on 11 seats; 9 vote through every road (holder on the
    web, holder through a link, alternate, proxy, facilitator); then close and certify.
    Live events are captured from the real channel layer, subscribed before any vote."""
    chair = person("Chair-Aardvark")
    give_role(chair, group, GroupRole.CHAIR)
    facilitator = person("Facilitator-Gecko")
    give_role(facilitator, group, GroupRole.FACILITATOR)
    seats, voters = [], []
    for order, (name, (size, voting)) in enumerate(LAYOUT.items()):
        chamber = ChamberFactory(name=f"Chamber-{name}", sort_order=order)
        for i in range(1, size + 1):
            seat = SeatFactory(working_group=group, chamber=chamber, label=f"Seat-{name}-{i:02d}")
            seats.append(seat)
            if i <= voting:
                voters.append(seat)
    holders = {s.pk: seat_person(s, person=person(f"Holder-{s.label[5:]}")).person for s in seats}
    alternate = seat_person(voters[1], SeatRole.ALTERNATE, person=person("Alternate-Heron"))
    proxy = person("Proxy-Jackal")
    voters[-1].facilitator = facilitator
    voters[-1].save(update_fields=["facilitator"])
    rule = VotingRule.objects.create(working_group=group, name="Plurality", method="plurality")
    now = timezone.now()
    ballot = Ballot(
        working_group=group,
        title="Choose the traceability plan",
        motion="The group chooses one of three traceability plans.",
        rule=rule,
        secrecy=Secrecy.SECRET,
        option_set=OptionSet.CUSTOM,
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(days=1),
    )
    services.ballot_save(actor=chair, ballot=ballot, options=PLANS)
    services.ballot_open(actor=chair, ballot=ballot)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(events.ballot_group(ballot.pk), channel)
    receipts = []
    with django_capture_on_commit_callbacks(execute=True):
        services.delegation_grant(
            actor=holders[voters[2].pk], ballot=ballot, seat=voters[2], proxy=proxy
        )
        for i, (seat, key) in enumerate(zip(voters, VOTES, strict=True)):
            if i == 1:
                actor, kwargs = alternate.person, {}
            elif i == 2:
                actor, kwargs = proxy, {}
            elif i == 3:
                actor, kwargs = holders[seat.pk], {"channel": "link", "reason": REASON}
            else:
                actor, kwargs = holders[seat.pk], {}
            if seat == voters[-1]:
                receipts.append(
                    services.vote_record_assisted(
                        actor=facilitator,
                        ballot=ballot,
                        seat=seat,
                        option_key=key,
                        mode="phone",
                        witness="Witness-Mongoose",
                        note="Called from the cooperative office.",
                    )
                )
            else:
                receipts.append(
                    services.vote_cast(
                        actor=actor, ballot=ballot, seat=seat, option_key=key, **kwargs
                    )
                )
        services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    received = _receive_all(layer, channel)
    async_to_sync(layer.group_discard)(events.ballot_group(ballot.pk), channel)
    decision = services.ballot_certify(actor=chair, ballot=ballot)
    ballot.refresh_from_db()
    return {
        "ballot": ballot,
        "decision": decision,
        "seats": seats,
        "voters": voters,
        "receipts": receipts,
        "events": received,
        "people": [*holders.values(), alternate.person, proxy, facilitator],
    }


class Markers:
    """What counts as a reference to a seat, and what as a reference to a choice."""

    def __init__(self, scene):
        ballot = scene["ballot"]
        seat_ids = {s.pk for s in scene["seats"]}
        self.people = {p.pk for p in scene["people"]}
        participations = Participation.objects.filter(ballot=ballot)

        def keys(queryset):
            return {str(pk) for pk in queryset.values_list("pk", flat=True)}

        self.seat_rows = {
            Seat: {str(pk) for pk in seat_ids},
            RollEntry: keys(RollEntry.objects.filter(ballot=ballot)),
            Participation: keys(participations),
            Delegation: keys(Delegation.objects.filter(ballot=ballot)),
            SeatAssignment: keys(SeatAssignment.objects.filter(seat__in=seat_ids)),
            AssistedVoteAttestation: keys(
                AssistedVoteAttestation.objects.filter(participation__in=participations)
            ),
            User: {str(pk) for pk in self.people},
        }
        self.seat_ids = seat_ids
        self.option_ids = set(ballot.options.values_list("pk", flat=True))
        choices = SecretChoice.objects.filter(ballot=ballot)
        self.choice_rows = {
            BallotOption: {str(pk) for pk in self.option_ids},
            SecretChoice: keys(choices),
        }
        self.seat_words = {s.label for s in scene["seats"]}
        for someone in scene["people"]:
            self.seat_words |= {someone.username, someone.display_name, someone.email}
        # A receipt belongs to its seat's participation: beside a choice it would let the
        # voter prove what they chose.
        self.seat_words |= set(participations.values_list("receipt_code", flat=True))
        self.choice_words = {w for key, label, _r in PLANS for w in (key, label)}
        self.choice_words |= {REASON}
        self.choice_words |= self.choice_rows[SecretChoice]
        self.models_by_label = {m._meta.label_lower: m for m in apps.get_models()}

    def classify(self, value, seat: set, choice: set, key: str = "", model=None) -> None:
        """Add to `seat` / `choice` what `value` (of a field or JSON key `key`) refers to."""
        if value is None:
            return
        if model is not None:
            if str(value) in self.seat_rows.get(model, ()):
                seat.add(f"{model.__name__} {value}")
            if str(value) in self.choice_rows.get(model, ()):
                choice.add(f"{model.__name__} {value}")
        if isinstance(value, dict):
            for k, v in value.items():
                self.classify(v, seat, choice, key=str(k))
            return
        if isinstance(value, list | tuple):
            for item in value:
                self.classify(item, seat, choice, key=key)
            return
        if isinstance(value, int) and not isinstance(value, bool) and key:
            if "seat" in key and value in self.seat_ids:
                seat.add(f"{key}={value}")
            if key in ("proxy_id", "person", "holder", "actor_id") and value in self.people:
                seat.add(f"{key}={value}")
            if ("option" in key or "choice" in key) and value in self.option_ids:
                choice.add(f"{key}={value}")
        text = value if isinstance(value, str) else json.dumps(value, cls=DjangoJSONEncoder)
        seat.update(w for w in self.seat_words if w in text)
        choice.update(w for w in self.choice_words if w in text)

    def row(self, model, row: dict) -> tuple[set, set]:
        seat, choice = set(), set()
        for field in model._meta.concrete_fields:
            value = row[field.attname]
            related = field.related_model if field.is_relation else None
            self.classify(value, seat, choice, key=field.attname, model=related)
        # Generic references: the audit log's (object_type, object_id), and any
        # (content_type, object_id | object_pk) pair such as guardian's rows.
        target, pk = None, None
        if "object_type" in row and "object_id" in row:
            target, pk = self.models_by_label.get(row["object_type"]), row["object_id"]
        elif "content_type_id" in row and ("object_id" in row or "object_pk" in row):
            ct = ContentType.objects.filter(pk=row["content_type_id"]).first()
            target = ct.model_class() if ct else None
            pk = row.get("object_id", row.get("object_pk"))
        if target is not None:
            self.classify(pk, seat, choice, model=target)
        return seat, choice


def every_row():
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        attnames = [f.attname for f in model._meta.concrete_fields]
        for row in model._base_manager.values(*attnames):
            yield model, row


def test_no_table_row_links_a_seat_to_a_choice(secret):
    markers = Markers(secret)
    assert scan_links(markers) == []
    # The scan is not blind: it does see both kinds of reference, only never together.
    seen_seats = seen_choices = 0
    for model, row in every_row():
        seat, choice = markers.row(model, row)
        seen_seats += bool(seat)
        seen_choices += bool(choice)
    assert seen_seats > 30 and seen_choices >= len(secret["receipts"]) + len(PLANS)
    assert Participation.objects.filter(ballot=secret["ballot"]).count() == 9


def scan_links(markers) -> list[str]:
    links = []
    for model, row in every_row():
        seat, choice = markers.row(model, row)
        if seat and choice:
            links.append(f"{model._meta.label} {row}: {sorted(seat)} ↔ {sorted(choice)}")
    return links


def test_the_scan_catches_a_planted_link(secret):
    """The scan's own check: plant the links a careless change would make."""
    ballot = secret["ballot"]
    participation = Participation.objects.filter(ballot=ballot).order_by("pk").first()
    option = ballot.options.get(key="ibis-plan")
    with transaction.atomic():
        audit.record(
            actor=None,
            action="debug",
            obj=ballot,
            payload={"seat": participation.seat_id, "picked": "ibis-plan"},
        )
        audit.record(
            actor=None,
            action="debug",
            obj=ballot,
            payload={"receipt": secret["receipts"][0], "picked": "zebra-plan"},
        )
        RollCallChoice.objects.create(participation=participation, option=option)
    links = scan_links(Markers(secret))
    assert [link.split(" ", 1)[0] for link in links] == [
        "governance.AuditEvent",
        "governance.AuditEvent",
        "governance.RollCallChoice",
    ]


def test_the_audit_log_records_who_took_part_never_what_they_chose(secret):
    markers = Markers(secret)
    ballot = secret["ballot"]
    votes = AuditEvent.objects.filter(action__startswith="vote.", object_id=str(ballot.pk))
    assert votes.count() == 9
    for event in votes:
        assert set(event.payload) == {"seat", "as", "channel"}
    for event in AuditEvent.objects.all():
        seat, choice = set(), set()
        markers.classify(event.payload, seat, choice)
        assert not (seat and choice), (event.action, event.payload)


def test_live_events_carry_counts_only(secret):
    """Test processes sharing Redis may publish to a group of the same name (ballot ids
    repeat across test databases): this ballot's turnout events name its chambers."""
    received = secret["events"]
    ballot_id = secret["ballot"].pk
    chambers = {f"Chamber-{name}" for name in LAYOUT}
    turnout = [
        e
        for e in received
        if e.get("type") == "turnout.changed"
        and {row["chamber"] for row in e.get("turnout", [])} == chambers
    ]
    assert len(turnout) == 9
    assert {"type": "ballot.closed", "ballot": ballot_id} in received
    for event in turnout:
        assert set(event) == {"type", "ballot", "turnout"}
        assert all(
            set(row) == {"chamber", "chamber_id", "eligible", "voted"} for row in event["turnout"]
        )
    assert [row["voted"] for row in turnout[-1]["turnout"]] == [4, 2, 3, 0]
    markers = Markers(secret)
    for event in received:
        seat, choice = set(), set()
        markers.classify(event, seat, choice)
        assert not (seat and choice), event
        if event in turnout:
            assert (seat, choice) == (set(), set()), event


def test_the_bulletin_lists_receipts_apart_from_choices_with_no_seat(secret):
    ballot, markers = secret["ballot"], Markers(secret)
    codes = bulletin.receipts(ballot)
    assert codes == sorted(secret["receipts"])
    rows = bulletin.rows(ballot)
    assert all(isinstance(r, bulletin.SecretRow) for r in rows)
    assert rows == sorted(rows, key=lambda r: (r.option_key, r.chamber))
    for r in rows:
        seat, choice = set(), set()
        markers.classify(list(vars(r).values()), seat, choice)
        assert seat == set() and r.option_key in choice  # no receipt, no seat
    assert {r.chamber for r in rows} == {"Chamber-Kudu", "Chamber-Okapi", "Chamber-Pangolin"}
    # Published, the chambers whose counts are withheld are not named either.
    public = bulletin.public_rows(ballot)
    assert {r.chamber for r in public} == {"Chamber-Kudu", ""}
    assert sorted(r.option_key for r in public) == sorted(r.option_key for r in rows)


def test_secret_choices_have_no_time_no_order_and_a_random_key():
    fields = {f.name: f for f in SecretChoice._meta.concrete_fields}
    timed = (models.DateField, models.DateTimeField, models.TimeField, models.DurationField)
    assert not [name for name, f in fields.items() if isinstance(f, timed)]
    pk = SecretChoice._meta.pk
    assert isinstance(pk, models.UUIDField) and pk.default is uuid.uuid4
    assert "receipt_code" not in fields  # the receipt is the participation's
    assert SecretChoice._meta.ordering[-1] == "id"  # content first, then the random key
    related = {f.related_model for f in fields.values() if f.is_relation}
    assert related == {Ballot, BallotOption, Chamber}
    assert not {Seat, Participation, RollEntry, User} & related
    assert not [f for f in Participation._meta.get_fields() if f.related_model is SecretChoice]


def test_small_chambers_are_withheld_from_the_published_breakdown(secret):
    ballot, decision = secret["ballot"], secret["decision"]
    result, _ = ballot_counting.count(ballot)
    shown = {row.chamber: row.counts for row in tally.public_breakdown(result, 3)}
    # Okapi has 2 votes (< 3); withholding it alone would let totals minus the others
    # reveal it, so the smallest other chamber with votes (Pangolin) goes too. Serval
    # had no votes and reveals nothing.
    assert shown["Chamber-Okapi"] is None and shown["Chamber-Pangolin"] is None
    assert shown["Chamber-Kudu"] == {"ibis-plan": 1, "quokka-plan": 1, "zebra-plan": 2}
    assert shown["Chamber-Serval"] == {"ibis-plan": 0, "quokka-plan": 0, "zebra-plan": 0}
    assert result.outcome == "adopted" and result.winner == "zebra-plan"
    published = {row["chamber"]: row["counts"] for row in decision.tally["chambers"]}
    assert published == shown
    stored = {row["chamber"]: row["counts"] for row in ballot.result["chambers"]}
    assert stored["Chamber-Okapi"] is not None  # kept for the recount, never published
    everyone = {row.chamber: row.counts for row in tally.public_breakdown(result, 2)}
    assert None not in everyone.values()  # min_cell is configurable (the rule's min_cell)
