"""Private files: kept outside MEDIA_ROOT, with no URL. A view streams one after
checking who asks (e.g. governance.views.ballots.attestations); nothing in a template
can link to one directly, since `url()` refuses."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="governance.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, which no web server serves."""

    def __init__(self):
        super().__init__()
        setting_changed.connect(self._private_setting_changed)

    @cached_property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @cached_property
    def location(self):
        return str(Path(self.base_location).resolve())

    def url(self, name):
        raise ValueError("private files have no URL: serve them through a view that checks")

    def _private_setting_changed(self, *, setting, **kwargs):
        if setting == "PRIVATE_MEDIA_ROOT":
            for name in ("base_location", "location"):
                self.__dict__.pop(name, None)


private_storage = PrivateStorage()

SCAN_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png"}


def attestation_scan_name(instance, filename: str) -> str:
    """A random name: never the seat's, the person's or the uploaded file's."""
    extension = Path(filename).suffix.lower()
    return f"attestations/{uuid.uuid4().hex}{extension if extension in SCAN_EXTENSIONS else ''}"
