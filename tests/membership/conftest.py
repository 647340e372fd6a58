import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from membership.models import ContributionBand, ContributionSchedule
from tests.factories import UserFactory, give_role


@pytest.fixture
def secretariat(group):
    """The alliance's secretariat: a secretariat role in a working group."""
    person = UserFactory(username="claire", display_name="Claire Mutombo")
    give_role(person, group, "secretariat")
    return person


def make_schedule(year: int, refiner=(25000, 60000, 120000), currency="USD"):
    schedule = ContributionSchedule.objects.create(year=year, currency=currency)
    low, mid, high = (Decimal(a) for a in refiner)
    ContributionBand.objects.bulk_create(
        [
            ContributionBand(
                schedule=schedule,
                chain_link="refiner",
                tier="A",
                min_tonnes=0,
                max_tonnes=1000,
                amount=low,
            ),
            ContributionBand(
                schedule=schedule,
                chain_link="refiner",
                tier="B",
                min_tonnes=1000,
                max_tonnes=5000,
                amount=mid,
            ),
            ContributionBand(
                schedule=schedule,
                chain_link="refiner",
                tier="C",
                min_tonnes=5000,
                max_tonnes=None,
                amount=high,
            ),
            ContributionBand(
                schedule=schedule,
                chain_link="automotive",
                tier="A",
                min_tonnes=0,
                max_tonnes=None,
                amount=Decimal(15000),
            ),
        ]
    )
    return schedule


@pytest.fixture
def schedule(db):
    return make_schedule(timezone.localdate().year)


def yesterday():
    return timezone.now() - datetime.timedelta(days=1)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` runs what the block's transactions left for after commit
    (emails), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
