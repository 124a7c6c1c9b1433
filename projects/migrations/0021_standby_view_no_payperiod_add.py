"""Managers and accountants read the standby pay owed to contractors; managers no longer
add pay periods, which open by themselves as weeks begin (managers only close them)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"Vendor managers": ["view_standbypay"], "Accountants": ["view_standbypay"]}
REVOKES = {"Vendor managers": ["add_payperiod"]}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return list(
        Permission.objects.filter(content_type__app_label="projects", codename__in=codenames)
    )


def _change(apps, grants, revokes):
    # Permissions are normally created after all migrations have run; the groups
    # need the standby one now.
    app_config = apps.get_app_config("projects")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codenames in grants.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*_permissions(apps, codenames))
    for name, codenames in revokes.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


def forward(apps, schema_editor):
    _change(apps, GRANTS, REVOKES)


def backward(apps, schema_editor):
    _change(apps, REVOKES, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0020_late_hours_and_close_reminder"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(forward, backward)]
