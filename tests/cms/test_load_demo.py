from django.apps import apps
from django.core.management import call_command

from governance import audit
from governance.models import (
    ChainLink,
    Chamber,
    GroupRole,
    Organisation,
    Seat,
    SeatAssignment,
    WorkingGroup,
    WorkingGroupRole,
)
from governance.services import composition_shortfalls


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed}


def test_load_demo_builds_the_alliance_and_a_second_run_changes_nothing(db):
    call_command("load_demo", verbosity=0)
    assert set(Chamber.objects.filter(parent=None).values_list("name", flat=True)) == {
        "Industry",
        "Government",
        "Civil society",
        "Artisanal miners",
    }
    assert Organisation.objects.count() >= 15
    assert set(Organisation.objects.values_list("chain_link", flat=True)) == set(ChainLink.values)
    assert Organisation.objects.filter(
        country="CD", chain_link=ChainLink.ARTISANAL_COOPERATIVE
    ).exists()
    groups = {g.name: g for g in WorkingGroup.objects.all()}
    assert set(groups) == {"ASM Cobalt Framework", "Steering Committee"}
    for group in groups.values():
        chambers = {s.chamber.top_level.name for s in Seat.objects.filter(working_group=group)}
        assert len(chambers) == 4
        assert all(short == 0 for short in composition_shortfalls(group).values()), group
        assert {r.role for r in WorkingGroupRole.objects.filter(working_group=group)} == set(
            GroupRole.values
        )
    assert SeatAssignment.objects.filter(role="alternate").exists()
    assert audit.verify_chain().ok

    before = _row_counts()
    call_command("load_demo", verbosity=0)
    assert _row_counts() == before
