"""The NinjaAPI instance: read-only, anonymous, cacheable, described at /openapi.json."""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from .http import in_request_language, make_public
from .params import clean_errors, invalid_message
from .routers import audit, ballots, consultations, decisions, registry, standards


class PublicAPI(NinjaAPI):
    """Every successful answer is public and the same for every reader: no
    authentication is read, and responses carry Cache-Control and an ETag."""

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        return make_public(request, response)


api = PublicAPI(
    title="Chaintable open data",
    version="1",
    description=(
        "The public record of the alliance: working groups and their seats, "
        "standards, versions and clauses, public comment periods with their comments "
        "and responses, closed ballots with their results and bulletins, and "
        "decisions. Read-only; lists take `limit` and `offset` and give the total "
        "`count`. Explanations and labels come in the language asked by `?lang=` or "
        "the Accept-Language header (en, fr, sw). Nothing here is private: members-only periods, open ballots "
        "and email addresses never appear, and a secret ballot never links a seat "
        "to a choice."
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_decorator(in_request_language, mode="view")
api.add_router("/", registry.router)
api.add_router("/", standards.router)
api.add_router("/", consultations.router)
api.add_router("/", ballots.router)
api.add_router("/", decisions.router)
api.add_router("/", audit.router)


@api.exception_handler(ValidationError)
def invalid_parameters(request, exc: ValidationError):
    """422 with a sentence that names each refused parameter, and ninja's details."""
    errors = clean_errors(exc.errors)
    return api.create_response(
        request, {"message": invalid_message(errors), "detail": errors}, status=422
    )
