"""Vendor managers work the support queue: they read, answer, assign and write canned answers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VENDOR_MANAGERS = "Vendor managers"

CODENAMES = [
    "view_conversation",
    "answer_conversation",
    "view_message",
    "view_attachment",
    "view_internalnote",
    "add_internalnote",
    "view_rating",
    "view_clockevent",
    "view_miss",
    "view_cannedanswer",
    "add_cannedanswer",
    "change_cannedanswer",
    "delete_cannedanswer",
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label="support", codename__in=CODENAMES)
    )
    missing = set(CODENAMES) - {perm.codename for perm in perms}
    if missing:
        raise RuntimeError(f"Missing support permissions: {sorted(missing)}")
    return perms


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # group needs them now.
    app_config = apps.get_app_config("support")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.get(name=VENDOR_MANAGERS)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=VENDOR_MANAGERS).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_initial"),
        ("accounts", "0002_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
