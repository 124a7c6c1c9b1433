# Written by hand: the pay-period calendar moves from payments to projects.
#
# Only Django's state moves: the tables keep their names (payments_payperiod,
# payments_payperiodstatuschange) and their rows, constraints and indexes, so
# nothing is run against them. payments 0005 drops the models from its state.
#
# The content types move with the models, so their permissions (the default
# ones, close_payperiod, generate_payouts) and every group's and user's grants
# of them follow: they become "projects.close_payperiod" and so on.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED_MODELS = ("payperiod", "payperiodstatuschange")
PERIOD_STATUSES = [("open", "Open"), ("closed", "Closed")]


def _move_content_types(apps, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        moving = ContentType.objects.filter(app_label=source, model=model).first()
        if moving is None:
            continue
        # Code deployed before this migration ran may have made the target's row
        # already (the admin's log asks for it); what points there is folded into
        # the row that carries the permissions and their grants.
        stray = ContentType.objects.filter(app_label=target, model=model).first()
        if stray is not None:
            for relation in ContentType._meta.related_objects:
                if relation.one_to_many:
                    name = relation.field.name
                    manager = relation.related_model._base_manager
                    manager.filter(**{name: stray}).update(**{name: moving})
            stray.delete()
        moving.app_label = target
        moving.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def to_projects(apps, schema_editor):
    _move_content_types(apps, source="payments", target="projects")


def to_payments(apps, schema_editor):
    _move_content_types(apps, source="projects", target="payments")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_status_change_constraints"),
        # The tables are made, and the permissions given to the staff groups, there.
        ("payments", "0004_status_change_constraints"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PayPeriod",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("start_on", models.DateField(unique=True, verbose_name="first day")),
                        ("end_on", models.DateField(verbose_name="last day")),
                        (
                            "status",
                            models.CharField(
                                choices=PERIOD_STATUSES,
                                default="open",
                                max_length=6,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "closed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="created at"
                            ),
                        ),
                        (
                            "closed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="closed by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "pay period",
                        "verbose_name_plural": "pay periods",
                        "db_table": "payments_payperiod",
                        "ordering": ["-start_on"],
                        "permissions": [
                            ("close_payperiod", "Can close pay periods"),
                            (
                                "generate_payouts",
                                "Can generate the payouts of a closed pay period",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("status__in", ["open", "closed"])),
                                name="pay_period_status_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("end_on__gte", models.F("start_on"))),
                                name="pay_period_dates_ordered",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("closed_at__isnull", False), ("status", "closed")),
                                    models.Q(
                                        models.Q(("status", "closed"), _negated=True),
                                        ("closed_at__isnull", True),
                                    ),
                                    _connector="OR",
                                ),
                                name="pay_period_closed_has_closed_at",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PayPeriodStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="at"
                            ),
                        ),
                        (
                            "from_status",
                            models.CharField(
                                choices=PERIOD_STATUSES, max_length=6, verbose_name="from"
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=PERIOD_STATUSES, max_length=6, verbose_name="to"
                            ),
                        ),
                        (
                            "by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="by",
                            ),
                        ),
                        (
                            "period",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="status_changes",
                                to="projects.payperiod",
                                verbose_name="pay period",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "pay period status change",
                        "verbose_name_plural": "pay period status changes",
                        "db_table": "payments_payperiodstatuschange",
                        "ordering": ["-at", "-pk"],
                        "abstract": False,
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("from_status__in", ["open", "closed"])),
                                name="pay_period_change_from_status_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("to_status__in", ["open", "closed"])),
                                name="pay_period_change_to_status_valid",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(to_projects, to_payments),
    ]
