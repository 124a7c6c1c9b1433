"""Vendor managers read floor exceptions; granting one (``grant_floor_exception``) is given
to no group: an administrator gives it to the few people who may allow pay below the floor."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"Vendor managers": ["view_floorexception"]}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label="projects", codename__in=codenames)
    )
    if len(perms) != len(codenames):
        raise RuntimeError(f"Missing projects permissions: {codenames}")
    return perms


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # group needs this one now.
    app_config = apps.get_app_config("projects")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        Group.objects.get(name=name).permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0018_floor_exceptions"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
