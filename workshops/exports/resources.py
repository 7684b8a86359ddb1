"""Columns of each tabular download, as django-import-export resources.

Every header and cell goes through `spreadsheet_cell`, whichever writer
(CSV, XLSX, or import-export's own formats) ends up using the resource.
"""

from django.utils.encoding import force_str
from import_export import fields, resources, widgets

from registration.models import Agency
from workshops.exports.formulas import spreadsheet_cell


class YesNoWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return "Yes" if value else "No"


class AgencyKindWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return Agency.Kind(value).label if value else ""


class DietWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        if value is None:
            return "Everyone attending"
        return value or "No dietary requirement stated"


def column(attribute, heading, widget=None):
    return fields.Field(attribute=attribute, column_name=heading, widget=widget)


def yes_no(attribute, heading):
    return column(attribute, heading, YesNoWidget())


def _text(value):
    """What import-export's plain `Widget.render` gives: the text, "" for None."""
    return "" if value is None else force_str(value)


class SpreadsheetSafeResource(resources.Resource):
    """A resource whose headers and cells are safe to open in a spreadsheet program."""

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_cell(super().export_field(field, instance, **kwargs))

    def get_export_headers(self, selected_fields=None):
        return [spreadsheet_cell(h) for h in super().get_export_headers(selected_fields)]

    def export_rows(self, rows):
        """Yield the header row, then one list of cells per row of data.

        Each column's reader is worked out once, not for every cell as
        `export_field` does (a third of a 40,000-seat roster's time went there).
        """
        readers = [self._cell_reader(field) for field in self.get_export_fields()]
        yield self.get_export_headers()
        for row in rows:
            yield [read(row) for read in readers]

    def _cell_reader(self, field):
        """A function of one row returning `field`'s cell exactly as `export_field` does.

        Rows are the dicts of `rows.py`: the field's attribute is looked up key by
        key (`seats__12` is `row["seats"]["12"]`), None as soon as one is missing.
        Anything else (a model instance, a `dehydrate_` method, a callable value)
        goes through `export_field` itself.
        """
        method = field.get_dehydrate_method(self.get_field_name(field))
        if not field.attribute or callable(method) or hasattr(self, method):
            return lambda row: self.export_field(field, row)
        keys = field.attribute.split("__")
        render = _text if type(field.widget) is widgets.Widget else field.widget.render

        def read(row):
            value = row
            for key in keys:
                if type(value) is not dict:
                    return self.export_field(field, row)
                value = value.get(key)
                if value is None:
                    break
            if callable(value):  # import-export calls it; our rows hold none
                return self.export_field(field, row)
            return spreadsheet_cell(render(value))

        return read


class AttendeeResource(SpreadsheetSafeResource):
    """One row per delegate; one column per time slot, holding the session they hold."""

    last_name = column("last_name", "Last name")
    first_name = column("first_name", "First name")
    badge_name = column("badge_name", "Badge name")
    email = column("email", "Email")
    job_title = column("job_title", "Job title")
    agency = column("agency_name", "Agency")
    agency_kind = column("agency_kind", "Agency type", AgencyKindWidget())
    day_one = yes_no("attends_day_one", "Day one")
    day_two = yes_no("attends_day_two", "Day two")

    def __init__(self, *, slots, **kwargs):
        super().__init__(**kwargs)
        for slot in slots:
            self.fields[f"slot_{slot.pk}"] = column(
                f"seats__{slot.pk}", f"{slot.name} ({slot.times})"
            )


class RosterResource(SpreadsheetSafeResource):
    """One row per seat: the session, then who holds it."""

    slot = column("slot", "Time slot")
    workshop = column("workshop_title", "Workshop")
    room = column("room", "Room")
    last_name = column("last_name", "Last name")
    first_name = column("first_name", "First name")
    badge_name = column("badge_name", "Badge name")
    job_title = column("job_title", "Job title")
    agency = column("agency_name", "Agency")


class CateringResource(SpreadsheetSafeResource):
    """Day attendance and dietary requirements only."""

    last_name = column("last_name", "Last name")
    first_name = column("first_name", "First name")
    day_one = yes_no("attends_day_one", "Day one")
    day_two = yes_no("attends_day_two", "Day two")
    dietary_requirements = column("dietary_requirements", "Dietary requirements")


class CateringTotalsResource(SpreadsheetSafeResource):
    """How many eat each diet on each day (`rows.catering_totals`), the last row everyone."""

    diet = column("diet", "Dietary requirement", DietWidget())
    day_one = column("day_one", "Day one", widgets.IntegerWidget(coerce_to_string=False))
    day_two = column("day_two", "Day two", widgets.IntegerWidget(coerce_to_string=False))


class AccessResource(SpreadsheetSafeResource):
    """Accessibility needs only, for the delegates who stated some."""

    last_name = column("last_name", "Last name")
    first_name = column("first_name", "First name")
    day_one = yes_no("attends_day_one", "Day one")
    day_two = yes_no("attends_day_two", "Day two")
    accessibility_needs = column("accessibility_needs", "Accessibility needs")


class AttendanceResource(SpreadsheetSafeResource):
    """One row per person expected at a door: the entrance each day, each seat."""

    day = column("day", "Day")
    door = column("door", "Door")
    last_name = column("last_name", "Last name")
    first_name = column("first_name", "First name")
    badge_name = column("badge_name", "Badge name")
    agency = column("agency_name", "Agency")
    status = column("status", "Status")
    arrived_at = column("arrived_at", "Arrived at")
    checked_in_by = column("checked_in_by", "Checked in by")


class FeedbackResource(SpreadsheetSafeResource):
    """One row per survey answer; the name only where the delegate chose to be named."""

    slot = column("slot", "Time slot")
    workshop = column("workshop_title", "Workshop")
    room = column("room", "Room")
    rating = column("rating", "Rating (1-5)", widgets.IntegerWidget(coerce_to_string=False))
    first_question = column("first_answer", "Answer 1")
    second_question = column("second_answer", "Answer 2")
    name = column("shown_name", "Name (if the delegate chose to show it)")
    submitted_on = column("submitted_on", "Answered on")
