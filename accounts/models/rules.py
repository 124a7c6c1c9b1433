"""The published rule book: what a contractor can be sanctioned for, version by version.

A book is a version of the whole set of rules. Managers write a draft, then
publish it with a date it applies from, at least ``RULE_BOOK_NOTICE_DAYS``
ahead, and every contractor is told. A published book is never edited: a
change is a new version, so a case always cites the text in force when it
was opened.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import validate_site_language

RULE_FALLBACK_LANGUAGE = "en"


class RuleSeverity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    EGREGIOUS = "egregious", _("Egregious")


class RuleCategory(models.TextChoices):
    CONDUCT = "conduct", _("Conduct")
    QUALITY = "quality", _("Quality of work")
    SAFETY = "safety", _("Safety")
    FRAUD = "fraud", _("Fraud")


# Only these allow an interim suspension while a case is heard.
INTERIM_CATEGORIES = frozenset({RuleCategory.SAFETY, RuleCategory.FRAUD})


class Sanction(models.TextChoices):
    """Outcomes of a case, mildest first; a rule caps how far a case under it can go."""

    NO_ACTION = "no_action", _("No action")
    WARNING = "warning", _("Warning")
    REMOVAL = "removal", _("Removal from the project")
    SUSPENSION = "suspension", _("Suspension until a date")
    OFFBOARDING = "offboarding", _("Offboarding")

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value)


# What no rule can ever sanction; shown on the public rules page.
NEVER_SANCTIONED = (
    _("Talking with other workers, about pay, conditions or anything else."),
    _("Organising or joining a union or any other association of workers."),
    _("Raising a complaint, with us, a client, a regulator or the press."),
    _("Declining a project flagged for disturbing content."),
)


class RuleBook(models.Model):
    version = models.CharField(_("version"), max_length=20, unique=True)
    effective_at = models.DateTimeField(_("applies from"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule book")
        verbose_name_plural = _("rule books")
        ordering = ["-effective_at", "-pk"]
        permissions = [("publish_rulebook", _("Can publish a rule book"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(effective_at__isnull=False),
                name="rule_book_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return gettext("Rule book v%(version)s") % {"version": self.version}


class ConductRule(models.Model):
    book = models.ForeignKey(
        RuleBook, on_delete=models.PROTECT, related_name="rules", verbose_name=_("rule book")
    )
    code = models.CharField(_("code"), max_length=20)
    severity = models.CharField(
        _("severity"), max_length=9, choices=RuleSeverity, default=RuleSeverity.MINOR
    )
    category = models.CharField(
        _("category"), max_length=8, choices=RuleCategory, default=RuleCategory.CONDUCT
    )
    warning_first = models.BooleanField(
        _("warning first"),
        default=True,
        help_text=_("A notice under this rule needs an earlier warning."),
    )
    max_sanction = models.CharField(
        _("most severe sanction"), max_length=11, choices=Sanction, default=Sanction.WARNING
    )

    class Meta:
        verbose_name = _("conduct rule")
        verbose_name_plural = _("conduct rules")
        ordering = ["book", "code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "code"], name="conduct_rule_code_once"),
            models.CheckConstraint(
                condition=Q(severity__in=RuleSeverity.values), name="conduct_rule_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=RuleCategory.values), name="conduct_rule_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(max_sanction__in=Sanction.values), name="conduct_rule_sanction_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} (v{self.book.version})"

    def text_in(self, language: str) -> "ConductRuleText | None":
        """This rule's text in ``language``, else English, else any (texts prefetched or not)."""
        texts = {text.language: text for text in self.texts.all()}
        return (
            texts.get(language)
            or texts.get(RULE_FALLBACK_LANGUAGE)
            or next(iter(texts.values()), None)
        )

    def allows(self, sanction: str) -> bool:
        return Sanction.rank(sanction) <= Sanction.rank(self.max_sanction)


class ConductRuleText(models.Model):
    """A rule in one language. Content managers write, not a translatable string."""

    rule = models.ForeignKey(
        ConductRule, on_delete=models.CASCADE, related_name="texts", verbose_name=_("rule")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        default=RULE_FALLBACK_LANGUAGE,
        validators=[validate_site_language],
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("plain-language text"))
    examples = models.TextField(_("examples"), blank=True)

    class Meta:
        verbose_name = _("rule text")
        verbose_name_plural = _("rule texts")
        ordering = ["rule", "language"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "language"], name="conduct_rule_text_once")
        ]

    def __str__(self) -> str:
        return self.title
