"""Give the staff groups exactly the projects permissions each role needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VENDOR_MANAGERS = "Vendor managers"
ACCOUNTANTS = "Accountants"

ROLE_PERMISSIONS = {
    VENDOR_MANAGERS: [
        "view_project",
        "add_project",
        "change_project",
        "change_project_status",
        "view_projectstatuschange",
        "view_assignment",
        "add_assignment",
        "change_assignment",
        "view_assignmentstatuschange",
        "view_assignmentrate",
        "add_assignmentrate",
        "view_timeentry",
        "review_timeentry",
        "view_timeentrystatuschange",
    ],
    ACCOUNTANTS: ["view_timeentry", "view_assignment", "view_assignmentrate"],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label="projects", codename__in=codenames)
    )
    missing = set(codenames) - {perm.codename for perm in perms}
    if missing:
        raise RuntimeError(f"Missing projects permissions: {sorted(missing)}")
    return perms


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # groups need them now.
    app_config = apps.get_app_config("projects")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=group_name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("accounts", "0002_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
