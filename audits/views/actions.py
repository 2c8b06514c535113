"""Corrective action pages: adding and updating actions, effectiveness checks, the board."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits import selectors, services
from audits.forms import ActionForm, ActionStatusForm, CheckForm
from audits.models import CorrectiveAction
from audits.permissions import may_respond
from audits.views.helpers import _finding, _submit
from governance.platform.access import get_object_for
from governance.platform.concurrency import atomic_post


@require_POST
def action_create(request, org_slug, pk):
    finding = _finding(request, pk)
    request.access.require(may_respond(request.access, finding))
    people = selectors.people_for_contract(contract=finding.audit.contract)
    _submit(
        request,
        ActionForm(request.POST, people=people),
        lambda data: services.action_create(access=request.access, finding=finding, **data),
        _("The corrective action is added."),
    )
    return redirect("audits:finding_detail", org_slug, pk)


@require_POST
@atomic_post
def action_update(request, org_slug, pk):
    action = get_object_for(request.access, selectors.action_list(access=request.access), pk=pk)
    request.access.require(services.may_update_action(request.access, action))
    _submit(
        request,
        ActionStatusForm(request.POST, record=action),
        lambda data: services.action_update(
            access=request.access, action=action, status=data["status"]
        ),
        _("The action is updated."),
    )
    target = request.POST.get("next", "")
    if target == "board":
        return redirect("audits:action_board", org_slug)
    return redirect("audits:finding_detail", org_slug, action.finding_id)


@require_POST
def check_create(request, org_slug, pk):
    finding = _finding(request, pk)
    request.access.require(may_respond(request.access, finding))
    form = CheckForm(
        request.POST,
        audits=selectors.audit_list(access=request.access, contract_id=finding.audit.contract_id),
    )
    check = _submit(
        request,
        form,
        lambda data: services.effectiveness_check_record(
            access=request.access, finding=finding, **data
        ),
    )
    if check is not None:
        if check.verdict == check.Verdict.EFFECTIVE:
            messages.success(request, _("The actions were effective; the finding is closed."))
        else:
            messages.info(request, _("Not effective: the finding stays open for further actions."))
    return redirect("audits:finding_detail", org_slug, pk)


def action_board(request, org_slug):
    """Corrective actions by status, overdue ones marked; filter by owner side."""
    access = request.access
    side = request.GET.get("side", "")
    side = side if side in CorrectiveAction.OwnerSide.values else ""
    today = timezone.localdate()
    actions = list(selectors.action_list(access=access, owner_side=side))
    columns = [
        {
            "status": value,
            "label": label,
            "actions": [a for a in actions if a.status == value],
        }
        for value, label in CorrectiveAction.Status.choices
    ]
    return render(
        request,
        "audits/action_board.html",
        {
            "columns": columns,
            "today": today,
            "overdue": sum(1 for a in actions if a.is_overdue(today)),
            "sides": CorrectiveAction.OwnerSide.choices,
            "side": side,
            "status_choices": CorrectiveAction.Status.choices,
        },
    )
