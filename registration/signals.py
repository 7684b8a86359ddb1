"""What registration asks of the apps built on it, without importing them.

`registration` sits below `workshops` and never imports it; where a rule of
registration needs an answer only a higher app has (seats, or personal data
kept in its tables), it sends one of these and the higher app answers from a
receiver it connects in its `AppConfig.ready`.
"""

from django.dispatch import Signal

# "How many more delegates can day two take?", that is, can each still be given a full,
# valid set of workshops after everyone already owed one. Sent with `event`; each
# receiver returns a number (the fewest wins). With no receiver, day two takes no one.
day_two_places_asked = Signal()

# "Hand over what you hold about this delegate." Sent with `delegate`; each
# receiver returns a dict of sections for their copy of their data.
delegate_data_asked = Signal()

# "This registration ends for good: give up everything it holds." Sent with
# `delegate` inside the erasure's transaction, before the personal fields go.
delegate_erasing = Signal()

# "This delegate no longer attends day two: give up what they hold there." Sent with
# `delegate` (locked) and `actor` (None: the delegate) inside the transaction that
# saves the change; workshops releases their seats, waiting-list places and rankings.
delegate_left_day_two = Signal()

# "This place now belongs to another delegate." Sent with `old` and `new` (both locked)
# inside the transaction of a handover; workshops moves seats, waiting-list places
# and rankings from `old` to `new`.
place_handed_over = Signal()

# "Forget what identifies this delegate." Sent with `delegate` (already blanked)
# and `old_email`, inside the transaction that erased or anonymised them.
delegate_forgotten = Signal()


def ask_day_two_places_left(*, event):
    """How many more delegates day two can take, as the apps that own seats answer."""
    answers = [places for _, places in day_two_places_asked.send(sender=None, event=event)]
    return min(answers, default=0)
