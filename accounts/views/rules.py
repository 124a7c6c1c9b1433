"""The public rules page: the rules in force, in the reader's language; the never sanctioned."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from accounts.models import NEVER_SANCTIONED, ConductRule
from accounts.selectors import rule_book_in_force, rule_book_upcoming


def _rules(book: object) -> list[ConductRule]:
    if book is None:
        return []
    return list(
        ConductRule.objects.filter(book=book)
        .select_related("book")
        .prefetch_related(Prefetch("texts"))
        .order_by("code")
    )


def rules(request: HttpRequest) -> HttpResponse:
    """Anyone may read it, signed in or not."""
    language = get_language() or "en"
    book = rule_book_in_force()
    upcoming = rule_book_upcoming()
    entries = [(rule, rule.text_in(language)) for rule in _rules(book)]
    return render(
        request,
        "accounts/rules.html",
        {
            "book": book,
            "upcoming": upcoming,
            "entries": entries,
            "language": language,
            "never_sanctioned": NEVER_SANCTIONED,
        },
    )
