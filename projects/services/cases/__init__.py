"""Every step of a case, from an opened case or a signal to closing or reinstatement.

Each step locks the case, checks the step is allowed from where the case
stands, writes a ``CaseEvent`` and tells the contractor (and their
representative). Sanctions are applied only here, from a decision, on its
effective date; ``cases_apply_due`` (beat) applies the ones decided ahead and
ends suspensions and interim suspensions on their dates.

- ``procedure``: the rules every step follows (locking, recording, telling, checks);
- ``signals``: cases filed by a platform, waiting for a person;
- ``steps``: what a person does, from opening to the appeal's decision and closing;
- ``sanctions``: applying a decision, interim suspension, reinstatement, back pay, the clock.
"""

from projects.services.cases.procedure import AppealDecision, Decision
from projects.services.cases.sanctions import (
    back_pay_default,
    case_interim_suspend,
    cases_apply_due,
)
from projects.services.cases.signals import case_signal, case_take
from projects.services.cases.steps import (
    case_appeal,
    case_appeal_decide,
    case_close,
    case_decide,
    case_evidence_add,
    case_notice,
    case_open,
    case_respond,
    case_warn,
)

__all__ = [
    "AppealDecision",
    "Decision",
    "back_pay_default",
    "case_appeal",
    "case_appeal_decide",
    "case_close",
    "case_decide",
    "case_evidence_add",
    "case_interim_suspend",
    "case_notice",
    "case_open",
    "case_respond",
    "case_signal",
    "case_take",
    "case_warn",
    "cases_apply_due",
]
