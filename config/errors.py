"""Error pages with the site's layout.

Too much data (a file over MAX_UPLOAD_BYTES, form fields over
DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields or files) is a 413 that says what the
limits are, in the reader's language, on every form that takes an upload; Django
would answer a bare 400.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render
from django.views import defaults

TOO_MUCH = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}" if size >= 1024 * 1024 else f"{size / (1024 * 1024):.1f}"


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    if isinstance(exception, TOO_MUCH):
        return too_large(request)
    return defaults.bad_request(request, exception, template_name)


def too_large(request):
    context = {
        "file_limit": megabytes(settings.MAX_UPLOAD_BYTES),
        "field_limit": megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0),
    }
    return render(request, "errors/413.html", context, status=413)


class UploadSizeLimit(FileUploadHandler):
    """Refuses a multipart request larger than MAX_UPLOAD_BYTES before reading its
    files (Django bounds only the fields, not the files). First in
    FILE_UPLOAD_HANDLERS; the others then do the work."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.MAX_UPLOAD_BYTES:
            raise RequestDataTooBig("Upload larger than MAX_UPLOAD_BYTES.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
