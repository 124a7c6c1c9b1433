"""Append-only status history: one row per move of a stateful model (``portal.state``).

As django-oscar's order status changes and healthchecks' ``Flip``: a history
row is written in the transaction that moves its object, and never edited.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class StatusChange(models.Model):
    """Who moved an object from one status to another, when, and why.

    A history declares the object it follows (a foreign key with
    ``related_name="status_changes"``), ``from_status`` and ``to_status`` with
    the object's status choices (``from_status`` blank where a row records the
    object's first status), and their constraints with ``status_constraints()``.
    It may override a field here, or drop one by setting it to ``None``.
    """

    reason = models.TextField(_("reason"), blank=True)
    # Empty when the system made the move (a schedule, a task).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return gettext("%(from)s → %(to)s") % {
            "from": self.get_from_status_display() or "—",
            "to": self.get_to_status_display(),
        }


def status_constraints(
    prefix: str, statuses: type[models.TextChoices], *, blank_from: bool
) -> list[models.CheckConstraint]:
    """``<prefix>_from_status_valid`` and ``<prefix>_to_status_valid`` for a history's Meta."""
    from_valid = Q(from_status__in=statuses.values)
    if blank_from:
        from_valid = Q(from_status="") | from_valid
    return [
        models.CheckConstraint(condition=from_valid, name=f"{prefix}_from_status_valid"),
        models.CheckConstraint(
            condition=Q(to_status__in=statuses.values), name=f"{prefix}_to_status_valid"
        ),
    ]
