"""Reads of cases, scoped: a contractor sees only their own, and only evidence shown to them."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from projects.cases.sharing import representative_token_matches, representative_token_read
from projects.models import Case, CaseAttachment, CaseEvent, CaseEvidence


def case_list_for_contractor(user: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(contractor__user=user)
        .exclude(status="signalled")
        .select_related("rule", "assignment__project")
        .order_by("-created_at", "-pk")
    )


def _with_case_file(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What the case page shows: the rule, the evidence shown to the contractor, the steps."""
    return cases.select_related(
        "rule__book", "decided_by", "appeal_decided_by", "back_pay", "contractor"
    ).prefetch_related(
        "rule__texts",
        Prefetch(
            "evidence",
            queryset=CaseEvidence.objects.filter(withheld_reason=""),
            to_attr="shown_evidence",
        ),
        Prefetch("events", queryset=CaseEvent.objects.select_related("by")),
        Prefetch("attachments", queryset=CaseAttachment.objects.all()),
    )


def case_get_for_contractor(user: User, pk: int) -> Case:
    """The case with its shown evidence and timeline; another person's case is a 404."""
    case = _with_case_file(case_list_for_contractor(user)).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def case_get_for_representative(token: str) -> Case:
    """The case a representative's signed link opens, as its contractor sees it (never a
    withheld item); a tampered, expired or revoked link is a 404."""
    read = representative_token_read(token)
    if read is None:
        raise Http404
    pk, named = read
    cases = Case.objects.exclude(status="signalled").select_related("assignment__project")
    case = _with_case_file(cases).filter(pk=pk).first()
    if case is None or not representative_token_matches(case, named):
        raise Http404
    return case


def case_evidence_file_for_representative(case: Case, pk: int) -> CaseEvidence:
    """An evidence file shown to the contractor of ``case`` (found through a valid link)."""
    item = (
        CaseEvidence.objects.filter(case=case, pk=pk, withheld_reason="").exclude(file="").first()
    )
    if item is None:
        raise Http404
    return item


def case_attachment_for_representative(case: Case, pk: int) -> CaseAttachment:
    found = CaseAttachment.objects.filter(case=case, pk=pk).first()
    if found is None:
        raise Http404
    return found


def _sees_every_case(user: User) -> bool:
    return user.is_active and user.has_perm("projects.view_case")


def case_evidence_file_get(user: User, *, case_pk: int, pk: int) -> CaseEvidence:
    """An evidence file: staff who may view cases get any; the contractor only one shown to
    them in their own case; anything else is a 404."""
    items = CaseEvidence.objects.filter(case_id=case_pk, pk=pk).exclude(file="")
    if not _sees_every_case(user):
        items = items.filter(
            case__in=case_list_for_contractor(user).values("pk"), withheld_reason=""
        )
    item = items.first()
    if item is None:
        raise Http404
    return item


def case_attachment_get(user: User, *, case_pk: int, pk: int) -> CaseAttachment:
    """A file sent with a response or an appeal: its contractor's, or staff who view cases."""
    files = CaseAttachment.objects.filter(case_id=case_pk, pk=pk)
    if not _sees_every_case(user):
        files = files.filter(case__in=case_list_for_contractor(user).values("pk"))
    found = files.first()
    if found is None:
        raise Http404
    return found
