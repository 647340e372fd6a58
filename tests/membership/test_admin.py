"""The secretariat's review queue and bookkeeping in the Wagtail admin."""

import pytest

from governance.models import MembershipStatus, Organisation
from membership.models import Application, Contribution, ContributionSchedule, Payment
from tests.factories import OrganisationFactory, UserFactory, give_role
from tests.membership.test_applications import submit

QUEUE = "/admin/membership/application/"


def review(application) -> str:
    return f"{QUEUE}edit/{application.pk}/"


@pytest.fixture
def waiting(schedule):
    return [
        submit(),
        submit(
            organisation_name="Mutoshi Coop",
            chain_link="asm_cooperative",
            declared_tonnes="",
            contact_email="m@x.example",
        ),
    ]


def test_the_secretariat_reviews_the_queue_and_accepts(client, secretariat, waiting):
    client.force_login(secretariat)
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    assert "Likasi Cobalt Refinery" in queue.text and "Mutoshi Coop" in queue.text
    page = client.get(review(waiting[0]))
    assert page.status_code == 200 and "We want our sourcing to meet the standard." in page.text
    refused = client.post(review(waiting[0]), {"action": "decline", "decline-reason": ""})
    assert refused.status_code == 200 and "This field is required" in refused.text
    accepted = client.post(review(waiting[0]), {"action": "accept", "accept-chamber": ""})
    assert accepted.status_code == 302
    organisation = Organisation.objects.get(name="Likasi Cobalt Refinery")
    assert organisation.membership_status == MembershipStatus.MEMBER
    again = client.post(review(waiting[0]), {"action": "accept"})
    assert again.status_code == 200 and "decided already" in again.text


def test_a_refusal_from_the_service_shows_and_changes_nothing(client, secretariat, waiting):
    OrganisationFactory(name="Mutoshi Coop", membership_status=MembershipStatus.MEMBER)
    client.force_login(secretariat)
    response = client.post(review(waiting[1]), {"action": "accept"})
    assert response.status_code == 200 and "already a member" in response.text
    assert Application.objects.get(pk=waiting[1].pk).status == "pending"


def test_people_who_are_not_the_secretariat_never_reach_the_queue(client, group, waiting):
    chair = UserFactory()
    give_role(chair, group, "chair")  # may enter the admin, is not the secretariat
    client.force_login(chair)
    assert client.get(QUEUE).status_code in (302, 403)
    assert client.get(review(waiting[0])).status_code in (302, 403)
    client.post(review(waiting[0]), {"action": "accept"})
    assert Application.objects.get(pk=waiting[0].pk).status == "pending"


def test_payments_are_recorded_from_the_contribution_page(client, secretariat, schedule):
    from membership import services

    refiner = OrganisationFactory(chain_link="refiner")
    services.membership_declare(actor=secretariat, organisation=refiner, tonnes=10)
    services.contributions_assess(actor=secretariat, year=schedule.year)
    contribution = Contribution.objects.get(organisation=refiner)
    client.force_login(secretariat)
    url = f"/admin/membership/contribution/edit/{contribution.pk}/"
    too_much = client.post(
        url, {"action": "pay", "pay-amount": "99999", "pay-received_on": "2026-01-05"}
    )
    assert too_much.status_code == 200 and "remains due" in too_much.text
    done = client.post(
        url, {"action": "pay", "pay-amount": "25000", "pay-received_on": "2026-01-05"}
    )
    assert done.status_code == 302 and Payment.objects.get().amount == 25000


def test_editing_the_schedule_in_force_in_the_admin_makes_next_years(client, secretariat, schedule):
    client.force_login(secretariat)
    url = f"/admin/membership/contributionschedule/edit/{schedule.pk}/"
    assert client.get(url).status_code == 200
    bands = list(schedule.bands.order_by("pk"))
    data = {
        "year": schedule.year,
        "currency": "USD",
        "notes": "",
        "bands-TOTAL_FORMS": str(len(bands)),
        "bands-INITIAL_FORMS": str(len(bands)),
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
    }
    for index, band in enumerate(bands):
        data.update(
            {
                f"bands-{index}-id": str(band.pk),
                f"bands-{index}-chain_link": band.chain_link,
                f"bands-{index}-tier": band.tier,
                f"bands-{index}-min_tonnes": str(band.min_tonnes),
                f"bands-{index}-max_tonnes": ""
                if band.max_tonnes is None
                else str(band.max_tonnes),
                f"bands-{index}-amount": "99" if index == 0 else str(band.amount),
                f"bands-{index}-ORDER": str(index),
                f"bands-{index}-DELETE": "",
            }
        )
    response = client.post(url, data)
    assert response.status_code == 302, response.text[:2000]
    assert list(ContributionSchedule.objects.values_list("year", flat=True)) == [
        schedule.year + 1,
        schedule.year,
    ]
    assert schedule.bands.order_by("pk").first().amount != 99
    assert ContributionSchedule.objects.get(year=schedule.year + 1).bands.filter(amount=99).exists()
