"""Staff names stored before display names existed were the local part of the staff
member's email address ("mira.k" for mira.k@vendor.example), which told askers the address.
Each such name becomes the person's display name, or blank, which askers read as the
neutral name."""

from django.db import migrations

BATCH = 500


def _local_part(email: str) -> str:
    return (email or "").partition("@")[0].strip().lower()


def _replacement(name: str, person, staff_by_local_part: dict) -> str | None:
    """What a stored ``name`` becomes, or ``None`` to keep it: the display name of the
    person whose email it was taken from (``person`` first, who most likely wrote or
    answered), blank when they have none or when the address belongs to several."""
    stored = name.strip().lower()
    if not stored:
        return None
    if person is not None and stored == _local_part(person.email):
        owners = [person]
    else:
        owners = staff_by_local_part.get(stored, [])
    if not owners:
        return None
    shown = (owners[0].display_name or "").strip() if len(owners) == 1 else ""
    return None if shown == name else shown


def names_from_emails_forget(apps, schema_editor) -> None:
    User = apps.get_model("accounts", "User")
    Conversation = apps.get_model("support", "Conversation")
    Message = apps.get_model("support", "Message")
    staff_by_local_part: dict[str, list] = {}
    for person in User.objects.filter(is_staff=True).only("email", "display_name"):
        staff_by_local_part.setdefault(_local_part(person.email), []).append(person)

    conversations = (
        Conversation.objects.exclude(assignee_name="")
        .select_related("assignee")
        .only("assignee_name", "assignee__email", "assignee__display_name")
    )
    _rewrite(Conversation, conversations, "assignee_name", "assignee", staff_by_local_part)
    messages = (
        Message.objects.filter(from_staff=True)
        .exclude(author_name="")
        .select_related("author")
        .only("author_name", "author__email", "author__display_name")
    )
    _rewrite(Message, messages, "author_name", "author", staff_by_local_part)


def _rewrite(model, rows, field: str, person: str, staff_by_local_part: dict) -> None:
    changed = []
    for row in rows.order_by("pk").iterator(chunk_size=BATCH):
        shown = _replacement(getattr(row, field), getattr(row, person), staff_by_local_part)
        if shown is None:
            continue
        setattr(row, field, shown)
        changed.append(row)
        if len(changed) == BATCH:
            model.objects.bulk_update(changed, [field])
            changed = []
    if changed:
        model.objects.bulk_update(changed, [field])


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0005_inboundsec_refusals"),
        ("accounts", "0012_due_user_display_name"),
    ]

    operations = [
        migrations.RunPython(names_from_emails_forget, migrations.RunPython.noop, elidable=True),
    ]
