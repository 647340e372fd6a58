"""Shared plumbing for services: permission refusals and field-level audit diffs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import model_to_dict
from modeltranslation.fields import TranslationField


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def refuse(message: str, field: str | None = None) -> None:
    raise ValidationError({field: [message]} if field else message)


def field_values(instance: models.Model) -> dict:
    """A JSON-friendly snapshot of an instance's concrete fields, for audit payloads.
    The per-language columns are left out: the field stands for its source text, and
    translations are audited by their own service."""
    names = [f.name for f in instance._meta.concrete_fields if not isinstance(f, TranslationField)]
    data = model_to_dict(instance, fields=names)
    return {k: (v.pk if isinstance(v, models.Model) else v) for k, v in data.items() if k != "id"}


def changes(instance: models.Model) -> dict:
    """Fields whose value differs from the stored row: {field: [old, new]}."""
    if instance._state.adding or instance.pk is None:
        return {k: [None, v] for k, v in field_values(instance).items()}
    stored = type(instance)._default_manager.get(pk=instance.pk)
    old, new = field_values(stored), field_values(instance)
    return {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}


def save_audited(
    *,
    actor,
    instance: models.Model,
    kind: str,
    working_group=None,
    public=True,
    check=None,
    now=None,
):
    """Validate (full_clean, then `check()` if given) and save a created or edited row,
    and record "<kind>.created" or "<kind>.updated" with the changed fields. An edit
    that changes nothing writes nothing. Call inside the service's transaction, after
    its permission checks. `now`: when it happened (the demo replaying history)."""
    from .. import audit

    instance.full_clean()
    if check is not None:
        check()
    created, diff = instance._state.adding, changes(instance)
    if not diff:
        return instance
    instance.save()
    audit.record(
        at=now,
        actor=actor,
        action=f"{kind}.created" if created else f"{kind}.updated",
        obj=instance,
        working_group=working_group,
        payload={"changes": diff},
        public=public,
    )
    return instance
