"""The admin's "Locked logins" screen: who is locked out of password logins now, a
button to unlock each (services.logins), and a form to reset a person's lost
authenticator app (services.two_factor). Every change is audited."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from .. import login_throttle, permissions
from ..models import User
from ..services import logins as services
from ..services import two_factor

URL_NAME = "governance_locked_logins"


class LockedLoginsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "governance/admin/locked_logins.html"
    page_title = gettext_lazy("Locked logins")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_unlock_address(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lockouts = login_throttle.current_lockouts()
        for row in lockouts["accounts"]:
            row["may_unlock"] = permissions.can_unlock_account(self.request.user, row["person"])
        context.update(lockouts)
        return context

    def post(self, request, *args, **kwargs):
        try:
            if "reset_two_factor" in request.POST:
                name = request.POST["reset_two_factor"].strip()
                person = User.objects.filter(username__iexact=name).first()
                if person is None:
                    raise ValidationError(_("There is no account with this username."))
                two_factor.two_factor_reset(actor=request.user, person=person)
            elif "account" in request.POST:
                services.login_unlock_account(actor=request.user, username=request.POST["account"])
            else:
                services.login_unlock_address(
                    actor=request.user, address=request.POST.get("address", "")
                )
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Unlocked: the next log-in is checked as usual."))
        return redirect(URL_NAME)
