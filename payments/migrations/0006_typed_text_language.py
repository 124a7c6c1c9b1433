"""The language each text a manager typed was written in, for pages to say so."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_pay_periods_to_projects"),
    ]

    operations = [
        migrations.AddField(
            model_name="adjustment",
            name="written_in",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=10, verbose_name="written in"
            ),
        ),
        migrations.AddField(
            model_name="payout",
            name="written_in",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=10, verbose_name="written in"
            ),
        ),
    ]
