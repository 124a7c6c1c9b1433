"""Fields for identifiers kept encrypted at rest, and their masked copies.

Encryption is django-fernet-encrypted-fields': each key is derived from
``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS``) with each entry of ``SALT_KEY``,
which ``portal/settings.py`` reads from ``FIELD_ENCRYPTION_KEYS``. New values
are written with the first; every key still reads. Fernet gives the same text
a new ciphertext each time, so an encrypted column can't be searched, sorted
or indexed by its clear value: anything SQL must show is stored beside it.
"""

from typing import Any

from django.db import models
from encrypted_fields.fields import EncryptedCharField as LibraryEncryptedCharField

from accounts.masking import mask_identifier


class EncryptedCharField(LibraryEncryptedCharField):
    """The library's field, except that a blank value is stored blank, not NULL.

    So the column stays NOT NULL like the plain one it replaced, and a
    constraint can still tell "no value" (``Q(tax_id="")``) from a value.
    """

    def get_prep_value(self, value: Any) -> Any:
        if value == "":
            return ""
        return super().get_prep_value(value)


class MaskedCopyField(models.CharField):
    """``mask_identifier()`` of another field, stored on every save, as ``auto_now`` stores a time.

    It lets SQL (the PostgreSQL payroll export) show what the model's masked
    property shows, without the key.
    """

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.update(editable=False, blank=True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, Any, Any, Any]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        kwargs.pop("blank", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = mask_identifier(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
