"""Which versions of a standard, and so which clauses, a person may read.

One rule, used by every surface a draft's text can leave through (standard pages,
the redline, clause histories, downloads, the open-data API and what the feeds,
calendars and exports read through it):

- the working group's members (whoever may read its private content) read every
  version of their standards, drafts in the making included;
- everyone else reads a version once it was adopted (in force, or in force once
  and since superseded), or once it was put out to a *public* comment round.
  A version that only ever went to members-only rounds stays the group's own
  work, whatever its status says: superseded or not, its text never leaves.

`public_versions()` is the rule as a filter (the open-data outputs answer for
anonymous readers whoever asks); `readable_versions(user, standard)` and
`can_read_version(user, version)` add the members' view.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from governance import permissions

from .models import Audience, Clause, Consultation, DraftVersion, VersionStatus


def public_version_q(ref: str = "") -> Q:
    """The public rule as a condition on DraftVersion (`ref`: the path to the version
    from the model filtered, e.g. "version__" for clauses)."""
    public_round = Exists(
        Consultation.objects.filter(
            version_id=OuterRef(f"{ref}pk" if ref else "pk"), audience=Audience.PUBLIC
        )
    )
    adopted = Q(**{f"{ref}status": VersionStatus.PUBLISHED}) | Q(
        **{f"{ref}published_at__isnull": False}
    )
    return ~Q(**{f"{ref}status": VersionStatus.DRAFTING}) & (adopted | public_round)


def public_versions(queryset: QuerySet[DraftVersion] | None = None) -> QuerySet[DraftVersion]:
    queryset = DraftVersion.objects.all() if queryset is None else queryset
    return queryset.filter(public_version_q())


def public_clauses(queryset: QuerySet[Clause] | None = None) -> QuerySet[Clause]:
    queryset = Clause.objects.all() if queryset is None else queryset
    return queryset.filter(public_version_q("version__"))


def reads_privately(user, standard) -> bool:
    """Whether `user` reads every version of `standard` (its group's members)."""
    return permissions.can_view_private(user, standard.working_group)


def readable_versions(user, standard, *, private: bool | None = None) -> QuerySet[DraftVersion]:
    """The versions of `standard` that `user` may read (`private`: what
    `reads_privately` answered, when the caller already asked)."""
    if private is None:
        private = reads_privately(user, standard)
    queryset = DraftVersion.objects.filter(standard=standard)
    return queryset if private else public_versions(queryset)


def can_read_version(user, version: DraftVersion) -> bool:
    """`version` comes with its standard and working group."""
    if reads_privately(user, version.standard):
        return True
    return public_versions().filter(pk=version.pk).exists()
