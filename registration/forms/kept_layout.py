"""A crispy form's layout HTML rendered once per process, its widgets afresh for each form.

crispy-forms renders a form field by field through Bootstrap 5's templates (label,
wrapper, help text, required marker, errors), and that was most of the time of
every page showing a form. For a form with no answers typed yet (unbound), all of
that HTML depends only on the code and templates and on whatever the form's
`layout_key()` names; only the widgets (`str(form[name])`: the input with its
value, a checkbox ticked or not, a select's options) and the CSRF token differ
from one page to the next. `KeptLayout` forms are rendered by
`{% crispy_kept form %}` (registration.templatetags.crispy_kept): the first time,
crispy-forms renders the form with every widget and the token replaced by a slot,
recording each widget's attributes as crispy-forms left them (classes such as
form-control); after that, the kept HTML is filled with the widgets of each new
form, rendered by Django with those attributes as crispy-forms would, and the
page's token. crispy-forms' form template removes runs of spaces between tags
(`specialspaceless`) after the widgets are in, so the filled HTML goes through the
same function. The first form is also rendered by crispy-forms whole and compared:
a layout that would not come out byte for byte the same, or that reads a field's
value itself, is not kept, and its forms are rendered by crispy-forms every time.

A form with answers (bound: its errors and what was typed) is rendered by
crispy-forms as before, and so is every form with DEBUG on (templates edited while
the server runs).
"""

import logging
from pathlib import Path

import django
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces
from django.forms import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

SLOT = "\x00"
# The CSRF token's value while the layout is recorded: a slot of its own.
CSRF_SLOT = f"{SLOT}csrf{SLOT}"
# The kept layouts, by form class, layout key and whether the page has a CSRF token:
# the HTML split at its slots, or NOT_KEPT. A few entries at most.
_layouts = {}
LAYOUTS_KEPT = 16
NOT_KEPT = ()


class _Recording:
    def __init__(self):
        self.slots = []  # (name, widget class, attrs)
        self.reads_values = False


class _Slot(BoundField):
    """A bound field rendered as a numbered slot, its widget's attributes recorded.

    A layout that reads the field's value itself (crispy-forms' radio buttons, file
    inputs) would keep the first form's value: reading it marks the recording.
    """

    def __str__(self):
        widget = self.field.widget
        slots = self.form._kept_layout_recording.slots
        slots.append((self.name, type(widget), dict(widget.attrs)))
        return mark_safe(f"{SLOT}{len(slots) - 1}{SLOT}")

    def value(self):
        self.form._kept_layout_recording.reads_values = True
        return super().value()

    @property
    def data(self):
        self.form._kept_layout_recording.reads_values = True
        return super().data

    @property
    def initial(self):
        self.form._kept_layout_recording.reads_values = True
        return BoundField.initial.func(self)


def _attrs_html(attrs):
    """django/forms/widgets/attrs.html, for attribute values that are str, int or bool."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        elif type(value) is int or isinstance(value, str):
            parts.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
        else:
            return None
    return "".join(parts)


def _input_html(widget):
    """django/forms/widgets/input.html as the renderer gives it (stripped), or None
    for values it does not expect."""
    value = widget["value"]
    if value is not None and not isinstance(value, str):
        return None
    attrs = _attrs_html(widget["attrs"])
    if attrs is None:
        return None
    value = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{attrs}>'
    )


def _textarea_html(widget):
    """django/forms/widgets/textarea.html, or None for values it does not expect."""
    value = widget["value"]
    if value is not None and not isinstance(value, str):
        return None
    attrs = _attrs_html(widget["attrs"])
    if attrs is None:
        return None
    content = conditional_escape(value) if value else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{attrs}>\n{content}</textarea>'


# Django's widget templates for plain inputs and text areas, written in Python: rendering
# them through the template engine was a fifth of a page with a form (1.1 ms of the
# details page's eight widgets).
_QUICK = {
    "django/forms/widgets/input.html": _input_html,
    "django/forms/widgets/text.html": _input_html,
    "django/forms/widgets/email.html": _input_html,
    "django/forms/widgets/checkbox.html": _input_html,
    "django/forms/widgets/textarea.html": _textarea_html,
}
_DJANGO_FORMS = Path(django.__file__).parent / "forms" / "templates"


class QuickWidgetsRenderer(TemplatesSetting):
    """The project's form renderer (TemplatesSetting), `_QUICK` widget templates in Python.

    A widget template the project overrides (its file is not Django's own) is rendered
    from that file, and so is any value the Python version does not expect.
    """

    def __init__(self):
        self._quick = {}

    def render(self, template_name, context, request=None):
        quick = self._quick.get(template_name)
        if quick is None:
            quick = self._quick[template_name] = self._quick_for(template_name)
        if quick:
            html = quick(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)

    def _quick_for(self, template_name):
        quick = _QUICK.get(template_name)
        if quick is None:
            return False
        origin = Path(self.get_template(template_name).origin.name)
        return quick if origin.is_relative_to(_DJANGO_FORMS) else False


QUICK_WIDGETS = QuickWidgetsRenderer()


class KeptLayout:
    """Mixin for a crispy form whose layout HTML may be kept (see the module docstring).

    The layout and the widgets' attributes must depend only on the form's class and
    on what `layout_key()` returns (values, initial data and choices may differ: they
    are rendered afresh). Fields that crispy-forms lays out with their values in its
    own templates (radio buttons, checkbox lists, file inputs) do not fit: such a form
    must not use this mixin.
    """

    _kept_layout_recording = None  # a _Recording while the layout is recorded
    default_renderer = QUICK_WIDGETS

    def layout_key(self):
        """What the layout HTML shows besides the widgets and the class; hashable."""
        return ()

    def __getitem__(self, name):
        bound = super().__getitem__(name)
        if self._kept_layout_recording is None:
            return bound
        return _Slot(self, bound.field, name)


def kept_form_html(form, render, context):
    """The HTML of unbound `form`, from its kept layout; `render()` renders it with crispy.

    `context` is the page's template context, where crispy-forms finds the CSRF token
    (filled in afresh, never kept). Side effects: on the first form of a class and
    key, renders it with crispy-forms twice (whole, and with slots) and keeps the
    layout, or NOT_KEPT if the layout reads a field's value or filling it would not
    give the same HTML (dropping all kept
    layouts when `LAYOUTS_KEPT` are already kept). Sets the widgets' attributes of
    `form` as crispy-forms would.
    """
    token = context.get("csrf_token")
    with_token = bool(token) and token != "NOTPROVIDED"
    key = (type(form), form.layout_key(), with_token)
    pieces = _layouts.get(key)
    if pieces is None:
        pieces = _record(form, render, context, with_token=with_token)
        if len(_layouts) >= LAYOUTS_KEPT:
            _layouts.clear()
        _layouts[key] = pieces
    if pieces is NOT_KEPT:
        return render()
    fields = form.fields
    for piece in pieces[1::2]:
        if piece is not None and type(fields[piece[0]].widget) is not piece[1]:
            return render()  # a widget swapped for another kind since (see `layout_key`)
    return _fill(form, pieces, escape(token) if with_token else "")


def _record(form, render, context, *, with_token):
    with context.push(csrf_token=CSRF_SLOT if with_token else context.get("csrf_token")):
        expected = str(render())
        form._kept_layout_recording = recording = _Recording()
        try:
            html = str(render())
        finally:
            form._kept_layout_recording = None
    pieces = html.split(SLOT)
    for index in range(1, len(pieces), 2):
        piece = pieces[index]
        pieces[index] = None if piece == "csrf" else recording.slots[int(piece)]
    if recording.reads_values or _fill(form, pieces, CSRF_SLOT) != expected:
        logger.warning("%s: its layout cannot be kept; crispy-forms renders it", type(form))
        return NOT_KEPT
    return pieces


def _fill(form, pieces, token):
    fields = form.fields
    parts = []
    for index, piece in enumerate(pieces):
        if not index % 2:
            parts.append(piece)
        elif piece is None:
            parts.append(token)
        else:
            name, _kind, attrs = piece
            fields[name].widget.attrs = dict(attrs)
            parts.append(str(form[name]))
    return mark_safe(remove_spaces("".join(parts)))
