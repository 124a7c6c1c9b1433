"""In-app notices, the email outbox, and the pages, API and tasks that serve them.

Services tell people through ``notify()``; the rest of the package is the
notices' own room: ``services`` (notify, mark read, preferences),
``selectors``, ``outbox`` (record now, deliver after commit), ``tasks``,
``views``/``forms``/``urls`` and ``api``/``api_urls``.
"""

from portal.notifications.services import Notice, notify

__all__ = ("Notice", "notify")
