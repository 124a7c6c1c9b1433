"""The language each text a manager typed was written in, for pages to say so."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0007_pay_periods_from_payments"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="written_in",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=10, verbose_name="written in"
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="written_in",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=10, verbose_name="written in"
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="pause_written_in",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                max_length=10,
                verbose_name="pause message written in",
            ),
        ),
        migrations.AddField(
            model_name="projectstatuschange",
            name="written_in",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=10, verbose_name="written in"
            ),
        ),
        migrations.AddField(
            model_name="scheduledpause",
            name="written_in",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=10, verbose_name="written in"
            ),
        ),
        migrations.AddField(
            model_name="scheduledpause",
            name="cancel_written_in",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                max_length=10,
                verbose_name="call-off message written in",
            ),
        ),
        migrations.AddField(
            model_name="timeentry",
            name="written_in",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=10, verbose_name="written in"
            ),
        ),
    ]
