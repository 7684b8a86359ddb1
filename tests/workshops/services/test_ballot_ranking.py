"""Delegates rank the workshops while the ballot is open: the form and the service."""

import datetime

import pytest

from registration.models import Delegate
from tests.factories import (
    DelegateFactory,
    EventFactory,
    SessionFactory,
    TimeSlotFactory,
    WorkshopFactory,
    rank_workshops,
)
from workshops.forms.ballot import RankWorkshopsForm
from workshops.models import Preference
from workshops.services.ballot import RankingRefused, rankable_workshops, save_ranking


def ranking_of(delegate):
    return list(
        Preference.objects.filter(delegate=delegate)
        .order_by("rank")
        .values_list("workshop__title", flat=True)
    )


def rank_form(event, ranks):
    """A bound form; `ranks` maps workshop number (1-8) to the value posted."""
    workshops = list(rankable_workshops(event=event))
    by_title = {w.title: w for w in workshops}
    data = {f"rank_{by_title[f'Workshop {n}'].pk}": value for n, value in ranks.items()}
    return RankWorkshopsForm(data, event=event, workshops=workshops)


def titles(numbers):
    return [f"Workshop {n}" for n in numbers]


def test_rank_form_valid_ranking_lists_workshops_best_first(ballot_event, programme):
    form = rank_form(ballot_event, {3: "1", 1: "2", 8: "3", 5: "4", 2: ""})
    assert form.is_valid(), form.errors
    workshops = programme["workshops"]
    assert form.ranking == [workshops[2].pk, workshops[0].pk, workshops[7].pk, workshops[4].pk]


def test_rank_form_all_eight_ranked_is_valid(ballot_event):
    form = rank_form(ballot_event, {n: str(9 - n) for n in range(1, 9)})
    assert form.is_valid(), form.errors
    assert len(form.ranking) == 8


def test_rank_form_duplicate_rank_names_the_workshops(ballot_event):
    form = rank_form(ballot_event, {1: "1", 2: "2", 3: "2", 4: "3"})
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "You gave rank 2 to two workshops (“Workshop 2” and “Workshop 3”). "
        "Give each workshop its own rank."
    ]
    assert form.duplicate_names == {
        f"rank_{w.pk}" for w in rankable_workshops(event=ballot_event) if w.title[-1] in "23"
    }


def test_rank_form_gap_in_ranks_is_refused(ballot_event):
    form = rank_form(ballot_event, {1: "1", 2: "2", 3: "4", 4: "5"})
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "Ranks must run 1, 2, 3… without gaps: you used 1, 2, 4, 5. Use 1, 2, 3, 4."
    ]


def test_rank_form_too_few_ranked_is_refused(ballot_event):
    form = rank_form(ballot_event, {1: "1", 2: "2", 3: "3"})
    assert not form.is_valid()
    assert form.non_field_errors() == ["Rank at least 4 workshops; you ranked 3."]


def test_rank_form_nothing_ranked_is_refused(ballot_event):
    form = rank_form(ballot_event, {})
    assert not form.is_valid()
    assert form.non_field_errors() == ["Rank at least 4 workshops; you have not ranked any yet."]


@pytest.mark.parametrize("value", ["abc", "0", "9", "-1", "2.5", "1 OR 1=1"])
def test_rank_form_value_not_a_rank_is_refused(ballot_event, value):
    form = rank_form(ballot_event, {1: value, 2: "1", 3: "2", 4: "3", 5: "4"})
    assert not form.is_valid()
    (field,) = form.errors.keys()
    assert form.errors[field] == ["Choose a rank from 1 to 8 for “Workshop 1”, or “Not ranked”."]


def test_rank_form_duplicates_and_too_few_report_both(ballot_event):
    form = rank_form(ballot_event, {1: "1", 2: "1", 3: "2"})
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "You gave rank 1 to two workshops (“Workshop 1” and “Workshop 2”). "
        "Give each workshop its own rank.",
        "Rank at least 4 workshops; you ranked 3.",
    ]


def test_rank_form_required_is_capped_at_the_number_of_workshops(db):
    event = EventFactory(booking_mode="ballot", choices_required=4)
    slot = TimeSlotFactory(event=event)
    workshops = [WorkshopFactory(event=event, title=f"Workshop {n}") for n in (1, 2)]
    for workshop in workshops:
        SessionFactory(workshop=workshop, time_slot=slot)
    form = RankWorkshopsForm(
        {f"rank_{workshops[0].pk}": "2", f"rank_{workshops[1].pk}": "1"},
        event=event,
        workshops=workshops,
    )
    assert form.is_valid(), form.errors
    assert form.required == 2


def test_save_ranking_replaces_the_whole_ranking(ballot_event, programme):
    delegate = DelegateFactory(event=ballot_event)
    workshops = programme["workshops"]
    save_ranking(delegate=delegate, ranking=[w.pk for w in workshops[:5]])
    save_ranking(delegate=delegate, ranking=[w.pk for w in reversed(workshops[4:])])
    assert ranking_of(delegate) == titles([8, 7, 6, 5])


def test_save_ranking_other_events_workshop_is_refused(ballot_event, programme):
    delegate = DelegateFactory(event=ballot_event)
    rank_workshops(delegate, programme["workshops"][:4])
    elsewhere = SessionFactory(workshop=WorkshopFactory(title="Elsewhere")).workshop
    ranking = [elsewhere.pk, *(w.pk for w in programme["workshops"][4:8])]
    with pytest.raises(RankingRefused) as caught:
        save_ranking(delegate=delegate, ranking=ranking)
    assert caught.value.message == "One of the ranked workshops is not part of this event."
    assert ranking_of(delegate) == titles([1, 2, 3, 4])


def test_save_ranking_same_workshop_twice_is_refused(ballot_event, programme):
    delegate = DelegateFactory(event=ballot_event)
    first = programme["workshops"][0].pk
    ranking = [first, first, *(w.pk for w in programme["workshops"][1:4])]
    with pytest.raises(RankingRefused) as caught:
        save_ranking(delegate=delegate, ranking=ranking)
    assert caught.value.message == "Each workshop can be ranked only once."
    assert ranking_of(delegate) == []


def test_save_ranking_after_ballot_closes_is_refused(ballot_event, programme, close_ballot):
    delegate = DelegateFactory(event=ballot_event)
    rank_workshops(delegate, programme["workshops"][:4])
    close_ballot(ballot_event)
    with pytest.raises(RankingRefused) as caught:
        save_ranking(delegate=delegate, ranking=[w.pk for w in programme["workshops"][4:]])
    assert caught.value.message == "The ballot has closed: rankings can no longer be changed."
    assert ranking_of(delegate) == titles([1, 2, 3, 4])


def test_save_ranking_until_the_moment_the_ballot_closes(ballot_event, programme):
    delegate = DelegateFactory(event=ballot_event)
    closes = ballot_event.ballot_closes_at
    ranking = [w.pk for w in programme["workshops"][:4]]
    save_ranking(delegate=delegate, ranking=ranking, now=closes - datetime.timedelta(seconds=1))
    with pytest.raises(RankingRefused):
        save_ranking(delegate=delegate, ranking=ranking[::-1], now=closes)
    assert ranking_of(delegate) == titles([1, 2, 3, 4])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": Delegate.Status.CANCELLED}, "This registration has been cancelled."),
        (
            {"status": Delegate.Status.PENDING},
            "Your registration is awaiting an organiser's approval; you can rank the "
            "workshops once it is approved.",
        ),
        (
            {"attends_day_two": False},
            "Workshops are on day two; your registration is for day one only.",
        ),
    ],
)
def test_save_ranking_delegate_without_day_two_is_refused(
    ballot_event, programme, changes, message
):
    delegate = DelegateFactory(event=ballot_event, **changes)
    with pytest.raises(RankingRefused) as caught:
        save_ranking(delegate=delegate, ranking=[w.pk for w in programme["workshops"][:4]])
    assert caught.value.message == message
    assert ranking_of(delegate) == []


def test_save_ranking_in_live_mode_is_refused(programme):
    delegate = DelegateFactory(event=programme["event"])
    with pytest.raises(RankingRefused):
        save_ranking(delegate=delegate, ranking=[w.pk for w in programme["workshops"][:4]])
    assert ranking_of(delegate) == []


def test_rank_form_non_number_still_reports_duplicates(ballot_event):
    form = rank_form(ballot_event, {1: "1", 2: "1", 3: "x"})
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "You gave rank 1 to two workshops (“Workshop 1” and “Workshop 2”). "
        "Give each workshop its own rank."
    ]
    assert len(form.errors) == 2  # the bad selector, and the duplicates


def test_save_ranking_delegate_whose_email_is_unconfirmed_is_refused(ballot_event, programme):
    delegate = DelegateFactory(event=ballot_event, email="x@police.uk", unconfirmed=True)
    with pytest.raises(RankingRefused) as caught:
        save_ranking(delegate=delegate, ranking=[w.pk for w in programme["workshops"][:4]])
    assert caught.value.message == (
        "Confirm your email address before you rank the workshops: type the 6-digit code we "
        "emailed to x@police.uk, or open the link in that email."
    )
    assert ranking_of(delegate) == []
