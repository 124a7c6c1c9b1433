"""``get_FOO_display`` without rebuilding a field's every choice on each call.

Django's version makes a dict of all of a field's choices each time it is called,
which a page listing sixty-five payout lines or twenty notices paid per row. Models
that list many rows take ``QuickChoiceLabels`` first among their bases; each field's
labels are then gathered once. The labels stay lazy, so each reader still gets them
in their own language.
"""

from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class QuickChoiceLabels:
    def _get_FIELD_display(self, field: models.Field) -> Any:  # noqa: N802 - Django's name
        labels = field.__dict__.get("_quick_labels")
        if labels is None:
            labels = dict(make_hashable(field.flatchoices))
            field.__dict__["_quick_labels"] = labels
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
