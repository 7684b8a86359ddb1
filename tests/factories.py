"""factory-boy factories for every model, in one place."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from registration.models import Agency, Delegate, Event, Invitation
from workshops.models import Facilitator, Preference, Room, Session, TimeSlot, Workshop


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = "Strategic SOCEX 2019"
    # Eight weeks ahead, so that registration and changes are open by default (they
    # close when the event starts, and a day before day two); the SOCEX 2019 dates are
    # long past. Tests of the deadlines set the dates they need.
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(weeks=8))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=1))
    venue_name = "Chesford Grange"
    venue_address = "Kenilworth, Warwick CV8 2LD"
    choices_required = 4
    contact_email = "events@socex.example"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Constabulary {n}")
    kind = Agency.Kind.POLICE_FORCE
    # Open, so tests about other things can register anyone; eligibility tests set the rule.
    admission = Agency.Admission.OPEN


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegate

    event = factory.SubFactory(EventFactory)
    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = factory.Sequence(lambda n: f"Morgan{n}")
    email = factory.Sequence(lambda n: f"delegate{n}@force.police.uk")
    agency = factory.SubFactory(AgencyFactory)
    job_title = "Detective Inspector"
    attends_day_one = True
    attends_day_two = True
    dietary_requirements = ""
    accessibility_needs = ""
    privacy_accepted_at = factory.LazyFunction(timezone.now)
    # Dietary or accessibility answers come with their own consent, as the form requires.
    needs_consent_at = factory.LazyAttribute(
        lambda o: o.privacy_accepted_at if o.dietary_requirements or o.accessibility_needs else None
    )
    # Confirmed, so tests about seats can book at once; `DelegateFactory(unconfirmed=True)`
    # is someone who registered and has not yet typed the code or opened the link.
    email_confirmed_at = factory.LazyFunction(timezone.now)

    class Params:
        unconfirmed = factory.Trait(email_confirmed_at=None)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"INVITE{n:04d}")
    max_uses = 1


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 10


class TimeSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeSlot

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Round {n + 1}")
    # On the event's last day (day two), an hour apart from 09:00 UTC.
    starts_at = factory.LazyAttributeSequence(
        lambda o, n: (
            datetime.datetime.combine(o.event.ends_on, datetime.time(9), tzinfo=datetime.UTC)
            + datetime.timedelta(hours=n)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=50))


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Workshop {n}")
    summary = "What the workshop covers."


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    workshop = factory.SubFactory(WorkshopFactory)
    time_slot = factory.SubFactory(TimeSlotFactory, event=factory.SelfAttribute("..workshop.event"))
    room = factory.SubFactory(RoomFactory)
    capacity = None


class FacilitatorFactory(factory.django.DjangoModelFactory):
    """A facilitator; `workshops=[...]` names their workshops, `needs_sessions=[...]` grants."""

    class Meta:
        model = Facilitator
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Sam Facilitator{n}")
    email = factory.Sequence(lambda n: f"facilitator{n}@training.example")

    @factory.post_generation
    def workshops(self, create, extracted, **kwargs):
        if create and extracted:
            self.workshops.add(*extracted)

    @factory.post_generation
    def needs_sessions(self, create, extracted, **kwargs):
        if create and extracted:
            self.needs_sessions.add(*extracted)


class AdminUserFactory(factory.django.DjangoModelFactory):
    """A staff user; `permissions=["app.codename", ...]` grants some, `groups=["Staff"]` roles."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"organiser{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@socex.example")
    is_staff = True

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        for name in extracted or ():
            app_label, codename = name.split(".")
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.add(*Group.objects.filter(name__in=names))


def grow_event(*, event, slots, delegates, workshops=4, capacity=60):
    """Add `workshops` extra workshops, each run in every slot, and `delegates` booked into them.

    For tests that check a page's queries do not grow with the data. Seats go
    through `book_sessions`, like every booking.
    """
    from workshops.services.booking import book_sessions

    extra = [
        WorkshopFactory(event=event, title=f"Elective {event.workshops.count() + 1}")
        for _ in range(workshops)
    ]
    by_slot = [
        [
            SessionFactory(
                workshop=w, time_slot=slot, room=RoomFactory(capacity=capacity), capacity=None
            )
            for w in extra
        ]
        for slot in slots
    ]
    for n in range(delegates):
        delegate = DelegateFactory(event=event)
        chosen = [sessions[(i + n) % len(sessions)] for i, sessions in enumerate(by_slot)][
            : event.choices_required
        ]
        book_sessions(delegate=delegate, sessions=chosen)
    return by_slot


class PreferenceFactory(factory.django.DjangoModelFactory):
    """One ranked workshop; `rank_workshops` below writes a whole ranking."""

    class Meta:
        model = Preference

    delegate = factory.SubFactory(DelegateFactory)
    workshop = factory.SubFactory(WorkshopFactory, event=factory.SelfAttribute("..delegate.event"))
    rank = 1


def rank_workshops(delegate, workshops):
    """Give `delegate` the ballot ranking `workshops`, best first (rows only, no rules checked)."""
    return [
        PreferenceFactory(delegate=delegate, workshop=workshop, rank=rank)
        for rank, workshop in enumerate(workshops, start=1)
    ]
