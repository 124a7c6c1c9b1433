# Written by hand: the pay-period calendar moves from payments to projects
# (projects 0007, which also moves the permissions).
#
# Only Django's state changes: the foreign keys to the periods keep pointing at
# the same table (payments_payperiod), so nothing is run against the database.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_status_change_constraints"),
        ("projects", "0007_pay_periods_from_payments"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="payout",
                    name="period",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payouts",
                        to="projects.payperiod",
                        verbose_name="pay period",
                    ),
                ),
                migrations.DeleteModel(name="PayPeriodStatusChange"),
                migrations.DeleteModel(name="PayPeriod"),
            ],
        ),
    ]
