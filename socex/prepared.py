"""Querysets of a fixed shape, compiled to SQL once per connection and run with new values.

Building a queryset with joins and subqueries and compiling it to SQL costs
Django 1 to 2 ms of CPU, several times what SQLite or PostgreSQL take to answer
it: on the choose page the two queries every delegate page or the chooser
issues (the signed-in delegate with their event, the sessions with places left)
were over a third of the page. A `PreparedQuery` builds its queryset once per
database connection, with stand-in numbers for the values that change from one
request to the next (a delegate's or an event's id), keeps the SQL, and after
that only puts the values in, runs it and makes the model instances as Django's
`ModelIterable` does: `select_related` objects and annotations included.

Nothing is cached but the SQL: every call asks the database, so what a page
shows (places left, a delegate's status) is as fresh as with the queryset.

With `share_related=True`, rows that name the same related row (`select_related`)
share one instance of it, as `prefetch_related` gives, instead of one instance per
row: the choose page's 16 sessions came with 48 copies of their 4 time slots,
8 workshops and 4 rooms, and making a model instance is most of the cost of a row.
Only for read-only use: changing a shared instance changes it for every row.

An instance of a model whose every column is a plain attribute (no custom
`__init__`, `from_db` or field descriptor, no `pre_init`/`post_init` receiver)
is made as `Model.from_db` would leave it, its values put straight into its
`__dict__`: a quarter of the CPU of `Model.__init__`, which checks for keyword
arguments, sends both signals and sets each column through its descriptor.

The values must be integers or strings, as declared, used as they are in the
SQL (`filter(pk=...)`, `filter(delegate=...)`, `filter(session_key=...)`): preparing fails with
`ImproperlyConfigured` if a stand-in is not found among the query's
parameters, so a value Django would have turned into something else
(`icontains`, `in`, `None`, a date) cannot slip through.
"""

import inspect

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.constants import OnConflict
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.db.models.sql import InsertQuery

# Far outside any id a table holds, and different for each name.
_STAND_IN_BASE = -(10**15)


def _stand_in(index, kind):
    if kind is int:
        return _STAND_IN_BASE - index
    if kind is str:
        return f"\x00prepared query stand-in {index}\x00"
    raise TypeError(f"a prepared query takes ints and strs, not {kind.__name__}")


class PreparedQuery:
    """`build(**values)` returns a queryset of `model`; `query(**values)` runs its SQL: a list
    of instances, or of tuples for a `values_list` of plain columns.

    `types` names the values and their types, `int` or `str`:
    `PreparedQuery(Delegate, lambda pk: Delegate.objects.filter(pk=pk), pk=int)`.
    `build` must give the same shape whatever the values, and take them only in
    exact-match filters. Prepared per connection (connections are per thread).
    `share_related`: one instance per related row (see the module's docstring).
    """

    def __init__(self, model, build, *, share_related=False, **types):
        self.model = model
        self.build = build
        self.share_related = share_related
        self.types = types
        self.stand_ins = {name: _stand_in(i, kind) for i, (name, kind) in enumerate(types.items())}

    def __call__(self, **values):
        if values.keys() != self.types.keys():
            raise TypeError(f"expected values for {sorted(self.types)}, got {sorted(values)}")
        for name, value in values.items():
            if type(value) is not self.types[name]:
                raise TypeError(
                    f"{name!r} must be {self.types[name].__name__}, not {type(value).__name__}"
                )
        using = router.db_for_read(self.model)
        connection = connections[using]
        # Kept on the connection (one per thread), and gone with it: the compiled query
        # refers to its connection, so a cache of its own would keep every thread's alive.
        kept = connection.__dict__.setdefault("socex_prepared_queries", {})
        prepared = kept.get(self)
        if prepared is None:
            queryset = self.build(**self.stand_ins)
            if queryset.model is not self.model or queryset.db != using:
                raise ImproperlyConfigured("the queryset built is not of the model's database")
            prepared = _Prepared(queryset, using, self.stand_ins, self.share_related)
            # Built again a moment later, it must come out the same: a `now` (or anything
            # else worked out while building) would otherwise stay as it was at the first call.
            sql, params = self.build(**self.stand_ins).query.get_compiler(using=using).as_sql()
            if (sql, list(params)) != (prepared.sql, prepared.params):
                raise ImproperlyConfigured(
                    "a prepared query must not depend on when it is built (a time or date "
                    "worked out then would be kept): pass it as a value, or do not prepare it"
                )
            kept[self] = prepared
        return prepared.run(values)


class _Prepared:
    def __init__(self, queryset, using, stand_ins, share_related=False):
        self.using = using
        self.share_related = share_related
        compiler = queryset.query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = []
        for name, stand_in in stand_ins.items():
            at = [
                i for i, p in enumerate(self.params) if type(p) is type(stand_in) and p == stand_in
            ]
            if not at:
                raise ImproperlyConfigured(
                    f"{name!r} is not a parameter of the prepared query as given: "
                    "use it only in exact-match filters"
                )
            self.slots.extend((i, name) for i in at)
        self.compiler = compiler
        # What `results_iter` works out again on every call (0.1 ms), worked out once.
        self.fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(self.fields)
        self.composite = compiler.has_composite_fields(self.fields)
        iterable = queryset._iterable_class
        query = queryset.query
        # values_list(*fields) of plain columns: rows as tuples, in the fields' order.
        self.tuples = iterable is ValuesListIterable
        if self.tuples and (query.annotation_select or query.extra_select):
            raise ImproperlyConfigured("a prepared values_list takes plain columns only")
        if not self.tuples and iterable is not ModelIterable:
            raise ImproperlyConfigured("a prepared query returns model instances or values_list")
        if self.tuples:
            return
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.related_populators = get_related_populators(klass_info, select, using)
        self.annotations = list((compiler.annotation_col_map or {}).items())
        self.plain = _plain_columns(self.model, self.init_list)
        self.plain_related = [
            _plain_columns(p.model_cls, p.init_list) for p in self.related_populators
        ]

    def run(self, values):
        params = list(self.params)
        for index, name in self.slots:
            params[index] = values[name]
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        if self.composite:
            rows = self.compiler.composite_fields_to_tuples(rows, self.fields)
        if self.tuples:
            return [tuple(row) for row in rows]
        instances = []
        using = self.using
        make = _maker(self.model, using, self.init_list, self.plain)
        # Per related populator: how to make its instances and, for `share_related`,
        # {primary key: instance}.
        related = [
            (populator, _maker(populator.model_cls, using, populator.init_list, plain), {})
            for populator, plain in zip(self.related_populators, self.plain_related, strict=True)
        ]
        share = self.share_related
        start, end = self.start, self.end
        for row in rows:
            instance = make(row[start:end])
            for populator, make_related, made in related:
                _populate(populator, make_related, row, instance, made if share else None)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances


def _plain_columns(model, init_list):
    """Whether `Model.from_db(db, init_list, values)` only stores `values` by `init_list`.

    True when `init_list` is every column in order (nothing deferred), the model
    overrides neither `__init__`, `__setattr__` nor `from_db`, and each column's class attribute
    is Django's plain descriptor (setting it on a new instance only stores it).
    Signal receivers are checked on each call (`_maker`): they may come and go.
    """
    if init_list != [f.attname for f in model._meta.concrete_fields]:
        return False
    if model.from_db.__func__ is not Model.from_db.__func__:
        return False
    if any("__init__" in vars(base) for base in model.__mro__ if base not in (Model, object)):
        return False
    if model.__setattr__ is not object.__setattr__:
        return False
    return all(
        type(inspect.getattr_static(model, name))
        in (DeferredAttribute, ForeignKeyDeferredAttribute)
        for name in init_list
    )


def _maker(model, using, init_list, plain):
    """A function making an instance of `model` from a row's `init_list` values, as `from_db`."""
    if not plain or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return lambda values: model.from_db(using, init_list, values)
    new = model.__new__

    def make(values):
        instance = new(model)
        state = instance._state = ModelState()
        state.adding = False
        state.db = using
        instance.__dict__.update(zip(init_list, values, strict=True))
        return instance

    return make


def _populate(populator, make, row, instance, made=None):
    """As Django's `RelatedPopulator.populate`, making instances with `make`; with a dict
    `made` ({primary key: instance}), one instance per related row."""
    if populator.reorder_for_init:
        data = populator.reorder_for_init(row)
    else:
        data = row[populator.cols_start : populator.cols_end]
    pk = data[populator.pk_idx]
    related = None if pk is None or made is None else made.get(pk)
    if related is None and pk is not None:
        related = make(data)
        for nested in populator.related_populators:
            nested.populate(row, related)
        if made is not None:
            made[pk] = related
    populator.local_setter(instance, related)
    if related is not None:
        populator.remote_setter(related, instance)


class PreparedInsert:
    """`insert(instance)` inserts an unsaved `model` instance as `instance.save()` would, its
    INSERT compiled once per connection; returns True, or False for a row left out.

    What `save()` spends building and compiling an INSERT of the same shape every
    time (about 0.2 ms of CPU) is spent once. Values are made as `save()` makes
    them (each field's `pre_save`, `auto_now_add` included, and
    `get_db_prep_save`) and the primary key the database returns is set on the
    instance (a key that is not an auto field, such as a UUID, comes with the
    instance). Not for models whose `save()` does more than Django's, nor for
    values that are expressions (refused: the SQL would change). Sends no
    `pre_save`/`post_save` signal: use it only for models nothing listens to.

    With `skip_conflicts`, a row that would break a unique constraint is left
    out (`ON CONFLICT DO NOTHING`; SQLite's `INSERT OR IGNORE` also leaves out one
    that breaks any other constraint) and the call returns False: no savepoint
    is needed to survive the clash, and the caller looks for the row it met.
    """

    def __init__(self, model, *, skip_conflicts=False):
        self.model = model
        self.skip_conflicts = skip_conflicts
        meta = model._meta
        self.fields = [
            field
            for field in meta.local_concrete_fields
            if not field.generated and field is not meta.auto_field
        ]

    def __call__(self, instance):
        # A primary key the database makes (an auto field) is not given; another is (a UUID).
        given_pk = instance.pk is not None and self.model._meta.auto_field is not None
        if given_pk or not instance._state.adding:
            raise ValueError("a prepared insert takes a new instance without a primary key")
        using = router.db_for_write(self.model, instance=instance)
        connection = connections[using]
        kept = connection.__dict__.setdefault("socex_prepared_queries", {})
        prepared = kept.get(self)
        if prepared is None:
            prepared = kept[self] = self._prepare(using, connection)
        sql, returning = prepared
        params = []
        for field in self.fields:
            value = field.pre_save(instance, True)
            if hasattr(value, "resolve_expression"):
                raise ImproperlyConfigured(
                    f"{field.name!r} is an expression: a prepared insert takes plain values"
                )
            params.append(field.get_db_prep_save(value, connection=connection))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            # Nothing made by the database to read back: whether the row went in is all there is.
            row = cursor.fetchone() if returning else (() if cursor.rowcount else None)
        if row is None:
            return False
        for (field, column, converters), value in zip(returning, row, strict=True):
            for converter in converters:
                value = converter(value, column, connection)
            setattr(instance, field.attname, value)
        instance._state.adding = False
        instance._state.db = using
        return True

    def _prepare(self, using, connection):
        """The INSERT's SQL, and each returned field with its column and converters."""
        on_conflict = OnConflict.IGNORE if self.skip_conflicts else None
        query = InsertQuery(self.model, on_conflict=on_conflict)
        # A stand-in row: only the SQL's shape is kept, never its values.
        query.insert_values(self.fields, [self.model()])
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = self.model._meta.db_returning_fields
        [(sql, _params)] = compiler.as_sql()
        returning = []
        for field in compiler.returning_fields:
            column = field.get_col(self.model._meta.db_table)
            converters = connection.ops.get_db_converters(column) + field.get_db_converters(
                connection
            )
            returning.append((field, column, converters))
        return sql, returning


def update_returning_row(model, sql, params, *, using):
    """Run `sql`, an UPDATE of `model`'s table without its RETURNING clause, for one row; return
    the row updated as a `model` instance (as `raw()` would make it), or None.

    What `raw()` works out again for every statement (about 0.15 ms of CPU: the
    columns' names, the fields they belong to, how each value is converted) is
    worked out once per connection and model. Side effects: the UPDATE.
    """
    connection = connections[using]
    kept = connection.__dict__.setdefault("socex_returning", {})
    returning = kept.get(model)
    if returning is None:
        returning = kept[model] = _returning(model, connection)
    clause, names, converters = returning
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {clause}", params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for at, column, field_converters in converters:
        for converter in field_converters:
            values[at] = converter(values[at], column, connection)
    return model.from_db(using, names, values)


def _returning(model, connection):
    """Every column of `model`'s table, the field names `from_db` takes, and their converters."""
    fields = model._meta.concrete_fields
    clause = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    converters = []
    for at, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((at, column, found))
    return clause, [field.attname for field in fields], converters
