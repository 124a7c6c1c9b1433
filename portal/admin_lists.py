"""The admin's long lists: counts that do not scan the table, filters that do not list it.

At a million time entries and ten thousand contractors, ``COUNT(*)`` of an
unfiltered table costs more than the page it counts, and a filter that lists
every contractor is a megabyte of HTML. ``EstimatedCountPaginator`` takes
PostgreSQL's own row estimate for an unfiltered list (exact counts once a filter
or search narrows it); ``AutocompleteFilter`` picks one related object through
the admin's autocomplete widget instead of listing them all.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap, and an estimate would be visibly off.
EXACT_BELOW = 50_000


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered PostgreSQL table from its statistics (``reltuples``).

    The estimate is as fresh as the last ANALYZE (autovacuum keeps it within a
    few per cent); a filtered or searched list, or a small table, is counted exactly.
    """

    @cached_property
    def count(self) -> int:
        estimate = _estimated_rows(self.object_list)
        if estimate is not None and estimate >= EXACT_BELOW:
            return estimate
        return super().count


def _estimated_rows(queryset) -> int | None:
    if not isinstance(queryset, QuerySet) or queryset.query.where:
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    # -1 until the table is first analysed.
    return int(row[0]) if row and row[0] >= 0 else None


class AutocompleteFilter(admin.FieldListFilter):
    """A filter on a foreign key (or a path ending in one) chosen by typing, not from a list.

    Uses the admin's own autocomplete widget and view, so the related model's
    admin needs ``search_fields``; the changelist's admin adds the widget's
    media (``autocomplete_filter_media``). Without JavaScript it is a plain
    select of the chosen object only, with a button.
    """

    template = "admin/autocomplete_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path) -> None:
        self.lookup_kwarg = f"{field_path}__{field.target_field.name}__exact"
        super().__init__(field, request, params, model, model_admin, field_path)
        value = self.used_parameters.get(self.lookup_kwarg)  # taken from params, as a list
        self.value = value[-1] if isinstance(value, list) else value
        self.form_field = forms.ModelChoiceField(
            queryset=field.remote_field.model._default_manager.all(),
            widget=AutocompleteSelect(field, model_admin.admin_site),
            required=False,
        )

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return [self.lookup_kwarg]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value in (None, ""):
            return queryset
        return queryset.filter(**{self.lookup_kwarg: self.value})

    def choices(self, changelist):
        # The template needs one "choice": the widget, the other parameters to keep,
        # and the link that clears this filter.
        keep = changelist.get_filters_params()
        keep.pop(self.lookup_kwarg, None)
        if changelist.query:
            keep["q"] = changelist.query
        widget_id = f"filter-{self.field_path}"
        yield {
            "selected": self.value not in (None, ""),
            "widget": self.form_field.widget.render(
                self.lookup_kwarg, self.value, attrs={"id": widget_id}
            ),
            "widget_id": widget_id,
            "hidden": [
                (name, item)
                for name, values in keep.items()
                for item in (values if isinstance(values, list) else [values])
            ],
            "clear_url": changelist.get_query_string(remove=[self.lookup_kwarg]),
        }


def autocomplete_filter_media(model_admin: admin.ModelAdmin, *fields) -> forms.Media:
    """The scripts and styles the autocomplete widgets of ``fields`` need on a changelist."""
    media = forms.Media(css={"all": ["portal/admin_lists.css"]})
    for field in fields:
        media += AutocompleteSelect(field, model_admin.admin_site).media
    return media
