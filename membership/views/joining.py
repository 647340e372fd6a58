"""Get involved: the application form, the contribution calculator, and the page where
an applicant answers the secretariat. Every page works without JavaScript; the
calculator's script only asks the server for the same answer without a reload."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.adminviews.forms import add_service_error
from governance.models import ChainLink
from governance.ratelimit import RateLimit
from governance.views.ratelimit import client_address

from .. import bands, services
from ..forms import AnswerForm, ApplicationForm, CalculatorForm
from ..models import Application, ApplicationEvent

APPLICATION_LIMIT = RateLimit("application")


def _schedule_context() -> dict:
    schedule = services.schedule_for(timezone.localdate().year)
    rows = list(schedule.bands.all()) if schedule else []
    table: dict[str, list] = {}
    order = {value: index for index, value in enumerate(ChainLink.values)}
    for row in sorted(rows, key=lambda r: (order.get(r.chain_link, 99), r.min_tonnes)):
        table.setdefault(row.get_chain_link_display(), []).append(row)
    return {"schedule": schedule, "schedule_table": table}


def calculation(form: CalculatorForm, schedule) -> dict:
    """The calculator's answer for a bound form: {"assessment", "error"}."""
    if not form.is_bound:
        return {}
    if not form.is_valid():
        return {"error": " ".join(e for errors in form.errors.values() for e in errors)}
    if schedule is None:
        return {"error": _("The contribution schedule has not been published yet.")}
    data = form.cleaned_data
    try:
        tonnes = services.parse_tonnes(data["declared_tonnes"])
    except ValidationError as error:
        return {"error": " ".join(error.messages)}
    rows = services.schedule_bands(schedule)
    try:
        result = bands.assess(rows, data["chain_link"], tonnes=tonnes, tier=data["declared_tier"])
    except bands.DeclarationError as error:
        return {"error": str(error)}
    return {"assessment": result, "link_pays": bands.pays_by_band(rows, data["chain_link"])}


def _calculator(request, schedule) -> tuple[CalculatorForm, dict]:
    bound = "calc-chain_link" in request.GET
    form = CalculatorForm(request.GET if bound else None, prefix="calc")
    return form, calculation(form, schedule)


def join(request):
    """The public "Get involved" page: why and how to join, the schedule, the
    calculator (a GET form) and the application (a POST form)."""
    context = _schedule_context()
    calc_form, result = _calculator(request, context["schedule"])
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        address = client_address(request)
        if APPLICATION_LIMIT.exceeded(address):
            form.add_error(
                None,
                _("Too many applications from your network. Please wait an hour and try again."),
            )
            status = 429
        elif form.is_valid():
            APPLICATION_LIMIT.hit(address)
            data = form.cleaned_data
            try:
                services.application_submit(
                    actor=request.user,
                    language=translation.get_language(),
                    **data,
                )
            except (ValidationError, PermissionDenied) as refusal:
                add_service_error(form, refusal)
            else:
                return redirect("membership:thanks")
    elif request.user.is_authenticated:
        form.initial = {
            "contact_name": request.user.public_name,
            "contact_email": request.user.email,
        }
    return render(
        request,
        "membership/join.html",
        {**context, "form": form, "calc_form": calc_form, "calc": result},
        status=status,
    )


@require_GET
def calculate(request):
    """The calculator's answer alone, for the page's script (the same HTML the page
    shows after a plain GET)."""
    context = _schedule_context()
    calc_form, result = _calculator(request, context["schedule"])
    return render(
        request,
        "membership/includes/calculator_result.html",
        {**context, "calc_form": calc_form, "calc": result},
    )


def thanks(request):
    return render(request, "membership/thanks.html")


def answer(request, token: str):
    """The applicant answers the secretariat's latest question through the link of its
    email. The page shows the question and the history of questions and answers."""
    from .. import tokens

    application = question = None
    problem = ""
    try:
        claim = tokens.read_answer_token(token)
    except tokens.ExpiredLink:
        problem = _(
            "This link has expired. Write to the secretariat and they will send you a new one."
        )
    except tokens.InvalidLink:
        problem = _("This link is not valid. Check that you copied all of it from the email.")
    else:
        application = Application.objects.filter(pk=claim.application_id).first()
        question = (
            ApplicationEvent.objects.filter(pk=claim.question_id, application=application).first()
            if application
            else None
        )
        if question is None:
            problem = _("This link is not valid. Check that you copied all of it from the email.")
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not problem and form.is_valid():
        try:
            services.application_answer(token=token, answer=form.cleaned_data["answer"])
        except ValidationError as refusal:
            add_service_error(form, refusal)
        else:
            messages.success(request, _("Thank you: your answer has reached the secretariat."))
            return redirect("membership:answer", token=token)
    history = (
        list(application.history.filter(kind__in=["info_requested", "answered"]))
        if application and not problem
        else []
    )
    still_open = bool(
        application
        and application.status == "info_requested"
        and history
        and history[-1].pk == question.pk
    )
    return render(
        request,
        "membership/answer.html",
        {
            "problem": problem,
            "application": application if not problem else None,
            "question": question,
            "history": history,
            "form": form,
            "still_open": still_open,
        },
        status=400 if problem else 200,
    )
