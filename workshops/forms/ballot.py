from django import forms

from workshops.services.ballot import duplicate_rank_problems, ranking_problems, ranks_required


class RankWorkshopsForm(forms.Form):
    """One rank selector (1..N or “Not ranked”) per workshop; works without JavaScript.

    The rules across workshops (no rank twice, no gaps, enough ranked) are
    checked in clean(); `ranking` then holds the workshop ids, best first.
    """

    def __init__(self, *args, event, workshops, current=None, **kwargs):
        """`workshops` are the rankable ones; `current` maps workshop id -> the saved rank."""
        super().__init__(*args, **kwargs)
        current = current or {}
        self.workshops = list(workshops)
        self.required = ranks_required(event=event, workshop_count=len(self.workshops))
        count = len(self.workshops)
        choices = [("", "Not ranked"), *((str(r), str(r)) for r in range(1, count + 1))]
        self.rows = []
        for workshop in self.workshops:
            name = f"rank_{workshop.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"Your rank for “{workshop.title}”",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=current.get(workshop.pk),
                error_messages={
                    "invalid_choice": (
                        f"Choose a rank from 1 to {count} for “{workshop.title}”, or “Not ranked”."
                    )
                },
            )
            self.rows.append((workshop, self[name]))
        self.ranking = []
        self.duplicate_names = set()

    def clean(self):
        data = super().clean()
        ranks = {}
        for workshop in self.workshops:
            rank = data.get(f"rank_{workshop.pk}")
            if rank is not None:
                ranks[workshop.pk] = rank
        titles = {w.pk: w.title for w in self.workshops}
        if self.errors:
            # A selector holds something that is not a rank: gaps and counts would mislead.
            problems = duplicate_rank_problems(ranks=ranks, titles=titles)
        else:
            problems = ranking_problems(ranks=ranks, titles=titles, required=self.required)
        for problem in problems:
            self.add_error(None, problem)
        seen = {}
        for workshop_id, rank in ranks.items():
            seen.setdefault(rank, []).append(workshop_id)
        self.duplicate_names = {
            f"rank_{w}"
            for workshop_ids in seen.values()
            if len(workshop_ids) > 1
            for w in workshop_ids
        }
        self.ranking = sorted(ranks, key=ranks.get)
        return data
