"""Every change to support conversations and their answer clocks goes through here."""

from portal.support.services.clocks import (
    ANSWER_PERMISSION,
    conversation_escalate,
    conversation_miss_record,
    support_clocks_check,
    support_staff_for,
)
from portal.support.services.conversations import (
    can_reopen,
    conversation_answer,
    conversation_assign,
    conversation_close,
    conversation_note,
    conversation_open,
    conversation_rate,
    conversation_reopen,
    conversation_reply,
    reopen_deadline,
)
from portal.support.services.inbound import support_reply_by_email, support_reply_too_large

__all__ = [
    "ANSWER_PERMISSION",
    "can_reopen",
    "conversation_answer",
    "conversation_assign",
    "conversation_close",
    "conversation_escalate",
    "conversation_miss_record",
    "conversation_note",
    "conversation_open",
    "conversation_rate",
    "conversation_reopen",
    "conversation_reply",
    "reopen_deadline",
    "support_clocks_check",
    "support_reply_by_email",
    "support_reply_too_large",
    "support_staff_for",
]
