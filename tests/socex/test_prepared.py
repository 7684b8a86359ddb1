"""Prepared queries: the queryset's SQL kept, its rows and objects as fresh as the queryset's."""

import gc
import threading
import weakref

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.db.models import Count
from django.db.models.functions import Now
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registration.models import Delegate, ManageLink
from socex.prepared import PreparedInsert, PreparedQuery, _plain_columns
from tests.factories import DelegateFactory, EventFactory
from workshops.models import Session, sessions_on_offer_held_by
from workshops.services.booking import book_sessions


def described(sessions):
    return [
        (
            s.pk,
            s.capacity,
            s.seats_taken,
            s.places_left,
            s.held,
            s.workshop.title,
            s.room.name,
            s.time_slot.name,
            s.time_slot.starts_at,
        )
        for s in sessions
    ]


def test_the_chooser_query_gives_what_the_queryset_gives(programme, four_sessions):
    event = programme["event"]
    holder, other = DelegateFactory(event=event), DelegateFactory(event=event)
    book_sessions(delegate=holder, sessions=four_sessions)
    for delegate in (holder, other):
        expected = list(Session.objects.on_offer(event).with_held_by(delegate))
        assert described(sessions_on_offer_held_by(event=event, delegate=delegate)) == described(
            expected
        )
    assert {s.pk for s in sessions_on_offer_held_by(event=event, delegate=holder) if s.held} == {
        s.pk for s in four_sessions
    }


def test_seats_are_counted_afresh_on_every_call(programme, four_sessions):
    event = programme["event"]
    delegate = DelegateFactory(event=event)
    before = {
        s.pk: s.places_left for s in sessions_on_offer_held_by(event=event, delegate=delegate)
    }
    book_sessions(delegate=DelegateFactory(event=event), sessions=four_sessions)
    with CaptureQueriesContext(connection) as captured:
        after = {
            s.pk: s.places_left for s in sessions_on_offer_held_by(event=event, delegate=delegate)
        }
    assert len(captured) == 1
    assert {pk for pk in after if after[pk] == before[pk] - 1} == {s.pk for s in four_sessions}
    assert all(after[pk] == before[pk] for pk in after if pk not in {s.pk for s in four_sessions})


def test_another_events_sessions_are_not_shown(programme):
    other_event = EventFactory(is_current=False)
    delegate = DelegateFactory(event=other_event)
    assert sessions_on_offer_held_by(event=other_event, delegate=delegate) == []
    assert len(sessions_on_offer_held_by(event=programme["event"], delegate=delegate)) == 16


def test_a_value_used_other_than_as_an_exact_match_is_refused(db):
    prepared = PreparedQuery(
        Delegate, lambda name: Delegate.objects.filter(first_name__icontains=name), name=int
    )
    with pytest.raises(ImproperlyConfigured, match="exact-match"):
        prepared(name=1)


def test_values_must_be_named_and_of_the_type_declared(db):
    prepared = PreparedQuery(
        Delegate, lambda delegate: Delegate.objects.filter(pk=delegate), delegate=int
    )
    with pytest.raises(TypeError, match="expected values"):
        prepared(person=1)
    with pytest.raises(TypeError, match="must be int"):
        prepared(delegate="1")
    delegate = DelegateFactory()
    assert prepared(delegate=delegate.pk) == [delegate]
    assert prepared(delegate=delegate.pk + 1000) == []


def test_strings_are_values_too(db):
    prepared = PreparedQuery(
        Delegate, lambda email: Delegate.objects.filter(email=email), email=str
    )
    delegate = DelegateFactory(email="priya@force.example")
    assert prepared(email="priya@force.example") == [delegate]
    assert prepared(email="o'brien@force.example") == []
    with pytest.raises(TypeError, match="must be str"):
        prepared(email=1)


def test_a_value_of_another_kind_is_refused(db):
    with pytest.raises(TypeError, match="ints and strs"):
        PreparedQuery(
            Delegate, lambda when: Delegate.objects.filter(email_confirmed_at=when), when=float
        )


def test_a_time_worked_out_while_preparing_is_refused_not_frozen(db):
    prepared = PreparedQuery(
        Delegate,
        lambda delegate: Delegate.objects.filter(
            pk=delegate, privacy_accepted_at__lte=timezone.now()
        ),
        delegate=int,
    )
    with pytest.raises(ImproperlyConfigured, match="must not depend on when it is built"):
        prepared(delegate=1)


def test_what_is_prepared_goes_with_its_connection(db):
    prepared = PreparedQuery(
        Delegate, lambda delegate: Delegate.objects.filter(pk=delegate), delegate=int
    )
    used = []

    def in_another_thread():
        assert prepared(delegate=1) == []
        used.append(weakref.ref(connections["default"]))
        connections.close_all()

    thread = threading.Thread(target=in_another_thread)
    thread.start()
    thread.join()
    gc.collect()
    assert used and used[0]() is None  # the thread's connection, and its prepared SQL, are gone


def test_a_values_list_gives_the_rows_the_queryset_gives(db):
    def build(event):
        return (
            Delegate.objects.filter(event=event)
            .order_by("pk")
            .values_list("pk", "email", "attends_day_two", "email_confirmed_at")
        )

    prepared = PreparedQuery(Delegate, build, event=int)
    event = EventFactory()
    DelegateFactory(event=event, attends_day_two=False)
    DelegateFactory(event=event, attends_day_two=True, email_confirmed_at=timezone.now())
    DelegateFactory()
    assert prepared(event=event.pk) == list(build(event.pk))
    assert [type(row[2]) for row in prepared(event=event.pk)] == [bool, bool]


def test_a_values_list_with_an_annotation_or_values_dicts_are_refused(db):
    annotated = PreparedQuery(
        Delegate,
        lambda delegate: (
            Delegate.objects.filter(pk=delegate)
            .annotate(n=Count("bookings"))
            .values_list("pk", "n")
        ),
        delegate=int,
    )
    with pytest.raises(ImproperlyConfigured, match="plain columns"):
        annotated(delegate=1)
    dicts = PreparedQuery(
        Delegate, lambda delegate: Delegate.objects.filter(pk=delegate).values("pk"), delegate=int
    )
    with pytest.raises(ImproperlyConfigured, match="model instances or values_list"):
        dicts(delegate=1)


def test_sharing_related_rows_gives_one_instance_per_related_row(programme, four_sessions):
    event = programme["event"]
    delegate = DelegateFactory(event=event)
    expected = list(Session.objects.on_offer(event).with_held_by(delegate))
    sessions = sessions_on_offer_held_by(event=event, delegate=delegate)
    assert described(sessions) == described(expected)
    for name in ("time_slot", "workshop", "room"):
        shared = {}
        for session in sessions:
            related = getattr(session, name)
            assert related.pk == getattr(session, f"{name}_id")
            assert shared.setdefault(related.pk, related) is related
        assert len({id(getattr(s, name)) for s in sessions}) == len(
            {getattr(s, f"{name}_id") for s in sessions}
        )
    # Not shared unless asked: one instance per row, as the queryset gives.
    unshared = PreparedQuery(
        Session,
        lambda event: Session.objects.on_offer(event),
        event=int,
    )(event=event.pk)
    assert len({id(s.time_slot) for s in unshared}) == len(unshared)


def _state(instance):
    return {k: v for k, v in vars(instance).items() if k != "_state"}, (
        instance._state.adding,
        instance._state.db,
    )


def test_instances_are_made_as_from_db_makes_them(programme, four_sessions):
    event = programme["event"]
    delegate = DelegateFactory(event=event)
    book_sessions(delegate=delegate, sessions=four_sessions)
    expected = {s.pk: s for s in Session.objects.on_offer(event).with_held_by(delegate)}
    made = sessions_on_offer_held_by(event=event, delegate=delegate)
    assert made and type(made[0]) is Session
    for session in made:
        twin = expected[session.pk]
        assert _state(session)[1] == _state(twin)[1] == (False, "default")
        assert {k: v for k, v in _state(session)[0].items() if k != "waiting"} == _state(twin)[0]
        for name in ("time_slot", "workshop", "room"):
            assert _state(getattr(session, name)) == _state(getattr(twin, name))
        session.capacity += 1  # an ordinary instance: set, saved, refreshed
        session.save(update_fields=["capacity"])
        session.refresh_from_db()
        assert session.capacity == twin.capacity + 1


def test_a_post_init_receiver_gets_its_instances(programme, four_sessions):
    seen = []

    def note(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(note, sender=Session)
    try:
        made = sessions_on_offer_held_by(event=programme["event"], delegate=DelegateFactory())
    finally:
        post_init.disconnect(note, sender=Session)
    assert made and seen == made


def test_only_full_rows_of_plain_models_skip_model_init(db):
    columns = [f.attname for f in Session._meta.concrete_fields]
    assert _plain_columns(Session, columns)
    assert not _plain_columns(Session, columns[:-1])  # a deferred column: from_db fills it in
    assert not _plain_columns(Session, list(reversed(columns)))


def stored(model, pk):
    """Every column of the row, as the ORM reads it."""
    row = model.objects.get(pk=pk)
    return [getattr(row, field.attname) for field in model._meta.concrete_fields]


def test_a_prepared_insert_writes_the_row_save_writes(db):
    delegate = DelegateFactory()
    expires_at = timezone.now()
    saved = ManageLink(delegate=delegate, token_hash="a" * 64, expires_at=expires_at)
    saved.save()
    inserted = ManageLink(delegate=delegate, token_hash="b" * 64, expires_at=expires_at)
    insert = PreparedInsert(ManageLink)
    with CaptureQueriesContext(connection) as queries:
        assert insert(inserted) is True
    assert len(queries) == 1
    assert inserted.pk == saved.pk + 1 and inserted._state.adding is False
    # auto_now_add and defaults filled in as save() fills them in.
    assert inserted.created_at is not None and inserted.used_at is None
    first, second = stored(ManageLink, saved.pk), stored(ManageLink, inserted.pk)
    names = [field.attname for field in ManageLink._meta.concrete_fields]
    differing = {name for name, a, b in zip(names, first, second, strict=True) if a != b}
    assert differing == {"id", "token_hash", "created_at"}
    assert stored(ManageLink, inserted.pk) == [getattr(inserted, name) for name in names]


def test_a_prepared_insert_with_skip_conflicts_leaves_a_clashing_row_out(db):
    event = EventFactory()
    sam = DelegateFactory(event=event, email="sam@kent.police.uk")
    clash = DelegateFactory.build(event=event, email="sam@kent.police.uk", agency=sam.agency)
    clash.badge_name = "Sam"
    assert PreparedInsert(Delegate, skip_conflicts=True)(clash) is False
    assert clash.pk is None and clash._state.adding is True
    assert Delegate.objects.filter(email="sam@kent.police.uk").count() == 1


def test_a_prepared_insert_refuses_an_expression_and_a_saved_instance(db):
    delegate = DelegateFactory()
    insert = PreparedInsert(ManageLink)
    with pytest.raises(ImproperlyConfigured):
        insert(ManageLink(delegate=delegate, token_hash="c" * 64, expires_at=Now()))
    with pytest.raises(ValueError):
        insert(ManageLink.objects.create(delegate=delegate, token_hash="d", expires_at=Now()))
