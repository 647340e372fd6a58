import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def today(now: datetime.datetime | None = None) -> datetime.date:
    """The day in the site's time zone (Kolwezi's), whatever zone a request activated:
    terms start and end at the site's midnight, for everyone alike."""
    return timezone.localdate(now, timezone.get_default_timezone())


class TermQuerySet(models.QuerySet):
    """Rows with a [start, end] term of whole days; `end` empty means open-ended."""

    def current(self, on: datetime.date | None = None):
        on = on or today()
        return self.filter(Q(end__isnull=True) | Q(end__gte=on), start__lte=on)

    def overlapping(self, start: datetime.date, end: datetime.date | None):
        q = Q(end__isnull=True) | Q(end__gte=start)
        if end is not None:
            q &= Q(start__lte=end)
        return self.filter(q)


class SeatRole(models.TextChoices):
    HOLDER = "holder", _("Holder")
    ALTERNATE = "alternate", _("Alternate")


class SeatAssignment(models.Model):
    """Who holds (or stands in for) a seat, for whom, for which term. Never overwritten:
    a new person is a new row, and ending a term only sets `end`."""

    seat = models.ForeignKey(
        "governance.Seat",
        verbose_name=_("seat"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="seat_assignments",
    )
    role = models.CharField(_("role on the seat"), max_length=16, choices=SeatRole.choices)
    organisation = models.ForeignKey(
        "governance.Organisation",
        verbose_name=_("organisation represented"),
        on_delete=models.PROTECT,
        related_name="seat_assignments",
    )
    start = models.DateField(_("term start"))
    end = models.DateField(
        _("term end"),
        null=True,
        blank=True,
        help_text=_("Last day of the term. Empty: open-ended."),
    )

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["seat", "role", "-start"]
        verbose_name = _("seat assignment")
        verbose_name_plural = _("seat assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_end_after_start",
            ),
            # Portable half of "one current holder and one current alternate per seat";
            # PostgreSQL adds an exclusion constraint on overlapping terms (migration 0002).
            models.UniqueConstraint(
                fields=["seat", "role"],
                condition=Q(end__isnull=True),
                name="one_open_assignment_per_seat_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seat} · {self.get_role_display()} · {self.person}"


class GroupRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    SECRETARIAT = "secretariat", _("Secretariat")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")
    FACILITATOR = "facilitator", _("Facilitator")
    TRANSLATOR = "translator", _("Translator")


class WorkingGroupRole(models.Model):
    """A person's role in a working group for a term; roles map to object permissions."""

    working_group = models.ForeignKey(
        "governance.WorkingGroup",
        verbose_name=_("working group"),
        on_delete=models.PROTECT,
        related_name="roles",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="group_roles",
    )
    role = models.CharField(_("role"), max_length=16, choices=GroupRole.choices)
    start = models.DateField(_("start"))
    end = models.DateField(
        _("end"), null=True, blank=True, help_text=_("Last day. Empty: open-ended.")
    )

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["working_group", "role", "-start"]
        verbose_name = _("working-group role")
        verbose_name_plural = _("working-group roles")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="role_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["working_group", "person", "role"],
                condition=Q(end__isnull=True),
                name="one_open_role_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.working_group} · {self.get_role_display()} · {self.person}"


class TermSync(models.Model):
    """One row: the last day whose term starts and ends were applied to object
    permissions (governance.permissions.sync_due_terms, run every minute)."""

    synced_through = models.DateField(null=True, blank=True)
