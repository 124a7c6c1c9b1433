"""Status machines as data: the moves a stateful model allows.

Each stateful model lists its legal moves in ``TRANSITIONS`` (a status → the
statuses it may move to, as django-oscar does for order status). Making a move
is a service's job: it asks ``can_transition_to()`` first, and records the move
in the model's history (``portal.history.StatusChange``) in the same transaction.
"""

from collections.abc import Mapping, Set
from typing import ClassVar


class TransitionsMixin:
    """For a model with a ``status`` field: ``TRANSITIONS`` and the predicate that reads it."""

    # A status missing from the table, like one mapped to an empty set, is final.
    TRANSITIONS: ClassVar[Mapping[str, Set[str]]] = {}

    status: str

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())
