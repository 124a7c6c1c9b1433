"""Give the staff groups exactly the payments permissions each role needs.

Money is read-only for everyone in the admin: managers move payouts only
through the custom permissions' actions; accountants read and export.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VENDOR_MANAGERS = "Vendor managers"
ACCOUNTANTS = "Accountants"

VIEW_ALL = [
    "view_payperiod",
    "view_payperiodstatuschange",
    "view_payout",
    "view_payoutline",
    "view_adjustment",
    "view_payoutstatuschange",
]

ROLE_PERMISSIONS = {
    VENDOR_MANAGERS: [
        *VIEW_ALL,
        "add_payperiod",
        "close_payperiod",
        "generate_payouts",
        "approve_payout",
        "pay_payout",
        "cancel_payout",
        "adjust_payout",
    ],
    ACCOUNTANTS: [*VIEW_ALL, "export_payroll"],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label="payments", codename__in=codenames)
    )
    missing = set(codenames) - {perm.codename for perm in perms}
    if missing:
        raise RuntimeError(f"Missing payments permissions: {sorted(missing)}")
    return perms


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # groups need them now.
    app_config = apps.get_app_config("payments")
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
        ("payments", "0001_initial"),
        ("accounts", "0002_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
