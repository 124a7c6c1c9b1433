"""Vendor managers record and read exchange rates; accountants read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Vendor managers": ["view_exchangerate", "add_exchangerate"],
    "Accountants": ["view_exchangerate"],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label="portal", codename__in=codenames)
    )
    if len(perms) != len(codenames):
        raise RuntimeError(f"Missing portal permissions: {codenames}")
    return perms


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # groups need these now.
    app_config = apps.get_app_config("portal")
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
        ("portal", "0008_exchange_rates"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
