"""The scans of assisted votes' paper ballots: private files (governance/storage.py),
streamed to those allowed (permissions.can_open_attestation_scan), never by a URL of
their own. A paper ballot shows the choice next to the seat."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers

from ... import permissions
from ...models import AssistedVoteAttestation
from ._base import ballot_or_404

CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
CONTENT_TYPES[".png"] = "image/png"


def attestation_rows(request, ballot, attestations=None) -> list[dict]:
    """The ballot's assisted votes (or those given), each with whether the viewer may
    open its scan."""
    if attestations is None:
        attestations = AssistedVoteAttestation.objects.filter(participation__ballot=ballot)
    found = attestations.select_related("participation__seat", "participation__cast_by").order_by(
        "participation__seat__label"
    )
    every = permissions.can_open_every_scan(request.user, ballot.working_group)  # asked once
    return [
        {"attestation": a, "may_open": every or a.participation.cast_by_id == request.user.pk}
        for a in found
    ]


@login_required
def attestation_scan(request, pk: int, participation_id: int):
    ballot = ballot_or_404(request, pk)
    attestation = get_object_or_404(
        AssistedVoteAttestation.objects.select_related("participation__ballot__working_group"),
        participation_id=participation_id,
        participation__ballot=ballot,
    )
    if not attestation.scan or not permissions.can_open_attestation_scan(request.user, attestation):
        raise Http404
    try:
        content = attestation.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = Path(attestation.scan.name).suffix.lower()
    response = FileResponse(
        content,
        as_attachment=True,
        filename=f"ballot-{ballot.pk}-assisted-vote-{participation_id}{extension}",
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    add_never_cache_headers(response)
    response.headers["Cache-Control"] += ", private"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response
