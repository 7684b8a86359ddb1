"""Fields only some roles may read, kept out of every admin page, list, search and URL lookup.

A model names its protected fields, and the permission that reads each, in a
`protected_fields` dict (the delegate's needs, for one). `ProtectsFields`, mixed
into every admin whose model can reach such a field through its relations,
hides them from users without the permission: columns, fields on the page,
searches, filters and orderings that use them, and any lookup typed into the
URL that ends in or passes through one (Django answers a refused lookup with
400, through `DisallowedModelAdminLookup`).
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP

# Prefixes `search_fields` may carry: starts with, exact, full-text.
SEARCH_PREFIXES = "^=@"


def permissions_to_read(model, path):
    """The permissions needed to read what the lookup `path`, starting from `model`, touches."""
    needed = set()
    for part in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break  # a lookup or transform (icontains, regex): it reads the field before it
        permission = getattr(model, "protected_fields", {}).get(field.name)
        if permission:
            needed.add(permission)
        if not field.is_relation or field.related_model is None:
            break
        model = field.related_model
    return needed


def protected_models_reached(model):
    """Every model holding protected fields that `model` reaches through its relations."""
    reached, seen, queue = set(), {model}, [model]
    while queue:
        current = queue.pop()
        if getattr(current, "protected_fields", None):
            reached.add(current)
        for field in current._meta.get_fields(include_hidden=False):
            related = field.related_model if field.is_relation else None
            if related is not None and related not in seen:
                seen.add(related)
                queue.append(related)
    return reached


class ProtectsFields:
    """For ModelAdmins and inlines: protected fields exist only for those who may read them."""

    def may_read(self, request, path):
        return all(
            request.user.has_perm(permission)
            for permission in permissions_to_read(self.model, path)
        )

    def _may_show_column(self, request, column):
        if isinstance(column, str) and not self.may_read(request, column):
            return False
        if callable(column):
            attr = column
        else:
            attr = getattr(self, column, None) or getattr(self.model, column, None)
        # A computed column sorts by its `ordering`, which `?o=` then reaches.
        order_field = getattr(attr, "admin_order_field", None)
        return not isinstance(order_field, str) or self.may_read(request, order_field.lstrip("-"))

    def _may_filter(self, request, list_filter):
        path = list_filter[0] if isinstance(list_filter, (list, tuple)) else list_filter
        # A SimpleListFilter class names no field; it checks its own permission.
        return not isinstance(path, str) or self.may_read(request, path)

    def _readable_fields(self, request, fields):
        kept = []
        for entry in fields:
            if isinstance(entry, (list, tuple)):  # several fields on one line
                line = tuple(name for name in entry if self.may_read(request, name))
                if line:
                    kept.append(line)
            elif self.may_read(request, entry):
                kept.append(entry)
        return kept

    def lookup_allowed(self, lookup, value, request):
        return self.may_read(request, lookup) and super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        return [
            name
            for name in super().get_search_fields(request)
            if self.may_read(request, name.lstrip(SEARCH_PREFIXES))
        ]

    def get_list_display(self, request):
        return [c for c in super().get_list_display(request) if self._may_show_column(request, c)]

    def get_list_filter(self, request):
        return [f for f in super().get_list_filter(request) if self._may_filter(request, f)]

    def get_ordering(self, request):
        return [
            o
            for o in super().get_ordering(request) or ()
            if not isinstance(o, str) or self.may_read(request, o.lstrip("-"))
        ]

    def get_fields(self, request, obj=None):
        return self._readable_fields(request, super().get_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = self._readable_fields(request, options["fields"])
            if fields or not options["fields"]:
                fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets
