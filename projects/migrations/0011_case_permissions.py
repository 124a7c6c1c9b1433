"""Vendor managers work cases and decide them; interim suspension stays a separate grant."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VENDOR_MANAGERS = "Vendor managers"
CODENAMES = [
    "view_case",
    "add_case",
    "change_case",
    "decide_case",
    "view_caseevent",
    "view_caseevidence",
    "add_caseevidence",
    "view_casebackpay",
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label="projects", codename__in=CODENAMES)
    )
    if len(perms) != len(CODENAMES):
        raise RuntimeError(f"Missing projects permissions: {CODENAMES}")
    return perms


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # group needs this one now.
    app_config = apps.get_app_config("projects")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Group.objects.get(name=VENDOR_MANAGERS).permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=VENDOR_MANAGERS).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0010_cases"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
