"""Create the staff groups with exactly the model permissions each role needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VENDOR_MANAGERS = "Vendor managers"
ACCOUNTANTS = "Accountants"

ROLE_PERMISSIONS = {
    VENDOR_MANAGERS: {
        "accounts": [
            "view_user",
            "view_contractorprofile",
            "verify_identity",
            "change_contractor_status",
            "view_profilelanguage",
            "view_application",
            "review_application",
            "view_applicationstatuschange",
            "view_contractorstatuschange",
            "add_agreementversion",
            "change_agreementversion",
            "view_agreementversion",
            "view_agreementacceptance",
            "add_expertisearea",
            "change_expertisearea",
            "delete_expertisearea",
            "view_expertisearea",
            "view_taxform",
            "view_payoutdetails",
            "view_apitoken",
            "change_apitoken",
        ],
        "portal": ["view_outboundemail"],
    },
    ACCOUNTANTS: {
        "accounts": [
            "view_user",
            "view_contractorprofile",
            "view_taxform",
            "view_payoutdetails",
        ],
    },
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, by_app in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, codenames in by_app.items():
            perms = list(
                Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
            missing = set(codenames) - {p.codename for p in perms}
            if missing:
                raise RuntimeError(f"Missing permissions for {group_name}: {sorted(missing)}")
            group.permissions.add(*perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
