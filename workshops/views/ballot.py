"""The delegate's side of a workshop ballot: rank the workshops, see the ranking.

`workshops.views.choose` hands over to `rank_workshops` while the event is in
ballot mode; once an allocation is published the event is in live mode and
the usual choice form is back.
"""

from django.contrib import messages
from django.shortcuts import redirect, render

from workshops.forms.ballot import RankWorkshopsForm
from workshops.services.ballot import BallotError, rankable_workshops, save_ranking


def rank_workshops(request):
    """GET: the ranking form with the saved ranking. POST: save it (three queries to show).

    Someone who already holds seats (booked while booking was live) keeps them and
    is left out of the ballot (`build_ballot`): they get their timetable instead.
    """
    delegate = request.delegate
    event = delegate.event
    bookings = list(delegate.bookings.timetable())
    if bookings:
        return render(
            request,
            "socex/ballot_seat_holder.html",
            {
                "delegate": delegate,
                "event": event,
                "bookings": bookings,
                "missing": max(event.choices_required - len(bookings), 0),
            },
        )
    if not event.ballot_is_open():
        return render(
            request,
            "socex/ballot_closed.html",
            {"delegate": delegate, "event": event, "ranking": ranked_workshops(delegate)},
        )
    workshops = list(rankable_workshops(event=event))
    current = dict(delegate.preferences.values_list("workshop_id", "rank"))
    form = RankWorkshopsForm(
        request.POST or None, event=event, workshops=workshops, current=current
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_ranking(delegate=delegate, ranking=form.ranking)
        except BallotError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                "Your ranking is saved. You can change it until the ballot closes.",
            )
            return redirect("workshops:manage")
    return render(
        request,
        "socex/rank.html",
        {"form": form, "delegate": delegate, "event": event, "has_ranking": bool(current)},
    )


def ranked_workshops(delegate):
    """The delegate's ranking as workshops, best first (one query)."""
    return [p.workshop for p in delegate.preferences.select_related("workshop").order_by("rank")]


def ballot_summary(delegate, *, bookings):
    """What the manage page shows in ballot mode; None in live mode (no query).

    A delegate holding seats (`bookings`) is left out of the ballot: no ranking to read.
    """
    event = delegate.event
    if not event.is_ballot:
        return None
    if bookings:
        return {
            "holds_seats": True,
            "missing": max(event.choices_required - len(bookings), 0),
            "is_open": event.ballot_is_open(),
        }
    return {"ranking": ranked_workshops(delegate), "is_open": event.ballot_is_open()}
