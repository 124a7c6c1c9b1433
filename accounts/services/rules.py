"""Publishing a version of the rule book, with notice to every contractor."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ContractorStatus, RuleBook, User
from portal.dates import format_moment
from portal.models import NotificationKind
from portal.notifications import Notice, notify

# A new version applies no sooner than this after it is announced.
RULE_BOOK_NOTICE_DAYS = 14


@transaction.atomic
def rule_book_publish(*, book: RuleBook, by: User, effective_at: datetime) -> RuleBook:
    book = RuleBook.objects.select_for_update().get(pk=book.pk)
    if book.published_at is not None:
        raise ValidationError(_("This version is published already; write a new version."))
    if not book.rules.exists():
        raise ValidationError(_("A rule book needs at least one rule."))
    now = timezone.now()
    if effective_at < now + timedelta(days=RULE_BOOK_NOTICE_DAYS):
        raise ValidationError(
            {
                "effective_at": [
                    _("Give contractors at least %(days)d days' notice of a new rule book.")
                    % {"days": RULE_BOOK_NOTICE_DAYS}
                ]
            }
        )
    book.published_at, book.published_by, book.effective_at = now, by, effective_at
    book.save(update_fields=["published_at", "published_by", "effective_at"])

    def notice() -> Notice:
        return Notice(
            title=_("The rules change on %(day)s") % {"day": format_moment(effective_at)},
            body=_(
                "Version %(version)s of the rules applies from %(day)s. Read it before then; "
                "the rules page shows what changes."
            )
            % {"version": book.version, "day": format_moment(effective_at)},
        )

    notify(
        recipients=User.objects.filter(
            contractor_profile__status__in=[
                ContractorStatus.ONBOARDING,
                ContractorStatus.ACTIVE,
                ContractorStatus.SUSPENDED,
            ]
        ),
        kind=NotificationKind.RULES_CHANGED,
        notice=notice,
        link=reverse("rules"),
        topic=f"rule_book:{book.pk}",
    )
    return book
