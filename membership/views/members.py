"""The public member pages: the directory, a member's profile (with its own
contributions for its people), the chain map, the register of admissions and the
transparency of contributions."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.localized import groups_index
from governance import register
from governance.models import ChainLink

from .. import selectors, services, transparency
from ..forms import PublishForm
from ..invoices import invoice_pdf
from ..models import Invoice, PaymentStatus


def directory(request):
    """Member organisations, filterable by link, country and chamber (a GET form)."""
    filters = selectors.DirectoryFilters.from_query(request.GET)
    return render(
        request,
        "membership/directory.html",
        {
            "organisations": list(selectors.member_directory(filters)),
            "filters": filters,
            "link_choices": ChainLink.choices,
            "countries": selectors.member_countries(),
            "chambers": list(selectors.top_level_chambers()),
        },
    )


def profile(request, slug: str):
    """A member's public profile. Its own people (and the secretariat) also see its
    band, yearly contributions, payment status and invoices."""
    data = selectors.member_profile(slug)
    if data is None:
        raise Http404
    organisation = data.organisation
    own = services.may_manage_membership(request.user, organisation)
    rows = []
    if own:
        for contribution in selectors.own_contributions(organisation):
            paid = services.paid_total(contribution)
            status = contribution.payment_status(paid)
            rows.append(
                {
                    "contribution": contribution,
                    "paid": paid,
                    "status": status,
                    "status_label": PaymentStatus(status).label,
                    "invoices": list(contribution.invoices.all()),
                }
            )
    membership = getattr(organisation, "membership", None)
    index = groups_index(request)  # the reader stays in their language
    return render(
        request,
        "membership/profile.html",
        {
            "profile": data,
            "organisation": organisation,
            "own": own,
            "own_rows": rows,
            "groups_url": index.get_url(request) if index else "",
            "publish_form": PublishForm(
                initial={"publish": bool(membership and membership.publish_contribution)}
            ),
        },
    )


@require_POST
def publish(request, slug: str):
    organisation = get_object_or_404(selectors.members(), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        membership = services.membership_publish(
            actor=request.user,
            organisation=organisation,
            publish=form.cleaned_data.get("publish", False),
        )
    except PermissionDenied as refusal:
        return render(request, "membership/refused.html", {"message": str(refusal)}, status=403)
    messages.success(
        request,
        _("Your band and contribution are now public.")
        if membership.publish_contribution
        else _("Your band and contribution are no longer public."),
    )
    return redirect("membership:profile", slug=slug)


def invoice_download(request, slug: str, number: str):
    """An invoice as PDF: for the member's own people and the secretariat only."""
    invoice = get_object_or_404(
        Invoice.objects.select_related("contribution__organisation"),
        number=number,
        contribution__organisation__slug=slug,
    )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.may_manage_membership(request.user, invoice.contribution.organisation):
        raise Http404
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def chain_map(request):
    """The chain from the cooperative to the carmaker and the electronics brand, with
    every member at its link; filterable by country."""
    country = (request.GET.get("country", "") or "").upper()[:2]
    return render(
        request,
        "membership/chain_map.html",
        {
            "map": selectors.chain_map(country),
            "country": country,
            "countries": selectors.member_countries(),
        },
    )


def admissions(request):
    """The public register of admissions (who joined, when, by whose decision)."""
    page = Paginator(register.alliance_register(), register.REGISTER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "membership/admissions.html",
        {"page_obj": page, "entries": register.register_entries(page.object_list)},
    )


def contributions(request):
    """Pooled contributions per year and per link, and what went to the programme at
    the mine; per member only for those who opted in."""
    return render(
        request,
        "membership/contributions.html",
        {
            "pools": transparency.pooled_totals(),
            "published": list(transparency.published_contributions()),
            "min_contributors": transparency.MIN_CONTRIBUTORS,
        },
    )
