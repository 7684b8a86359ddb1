"""An agency's label in the list delegates choose from: the name and its short names, once."""

import pytest

from registration.models import Agency


@pytest.mark.parametrize(
    ("name", "aliases", "label"),
    [
        ("National Crime Agency", "NCA", "National Crime Agency (NCA)"),
        # A bracket in the name takes the short names: never two brackets.
        (
            "East Midlands Special Operations Unit (EMSOU)",
            "ROCU",
            "East Midlands Special Operations Unit (EMSOU, ROCU)",
        ),
        # ROCU spells the initials of "Regional Organised Crime Unit": generic, left out.
        (
            "North West Regional Organised Crime Unit (TITAN)",
            "NWROCU\nROCU",
            "North West Regional Organised Crime Unit (TITAN, NWROCU)",
        ),
        (
            "West Midlands Regional Organised Crime Unit",
            "WMROCU\nROCU",
            "West Midlands Regional Organised Crime Unit (WMROCU)",
        ),
        # Already in the name, spaced or not, or part of a word of it.
        (
            "South East Regional Organised Crime Unit (SEROCU)",
            "ROCU\n\nSE ROCU",
            "South East Regional Organised Crime Unit (SEROCU)",
        ),
        ("Metropolitan Police Service", "MPS\nMet", "Metropolitan Police Service (MPS)"),
        (
            "Ministry of Defence Police",
            "MDP\nMoD Police\nMDP",
            "Ministry of Defence Police (MDP, MoD Police)",
        ),
        ("Kent Police", "", "Kent Police"),
        (
            "Tarian Regional Organised Crime Unit (Wales)",
            "ROCU",
            "Tarian Regional Organised Crime Unit (Wales)",
        ),
    ],
)
def test_agency_label_shows_short_names_not_in_the_name_in_one_bracket(name, aliases, label):
    assert Agency(name=name, aliases=aliases).label == label
