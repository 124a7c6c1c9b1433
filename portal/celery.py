import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# DjangoTask gives every task delay_on_commit(), so work is only queued once
# the transaction that recorded it has committed.
app = Celery("portal", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Autodiscovery looks for <app>.tasks; the notifications package is not an app.
app.autodiscover_tasks(["portal.notifications"])
