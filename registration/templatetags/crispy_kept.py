"""`{% crispy_kept form %}`: `{% crispy form %}`, from a kept layout when it can be.

`{% load crispy_kept %}`. For a `KeptLayout` form with no answers typed, the HTML
comes from the layout kept per process (registration.forms.kept_layout), byte for
byte what `{% crispy form %}` renders; any other form, a bound one, or any form with
DEBUG on, is rendered by crispy-forms as `{% crispy form %}` would.
"""

from crispy_forms.templatetags.crispy_forms_tags import CrispyFormNode
from crispy_forms.utils import get_template_pack
from django import template
from django.conf import settings

from registration.forms.kept_layout import KeptLayout, kept_form_html

register = template.Library()


class KeptCrispyFormNode(CrispyFormNode):
    def render(self, context):
        form = template.Variable(self.form).resolve(context)
        if settings.DEBUG or form.is_bound or not isinstance(form, KeptLayout):
            return super().render(context)
        return kept_form_html(
            form, lambda: super(KeptCrispyFormNode, self).render(context), context
        )


@register.tag(name="crispy_kept")
def crispy_kept(parser, token):
    """`{% crispy_kept form %}`: the form with its own `helper` and the default pack."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("crispy_kept takes one argument, the form")
    return KeptCrispyFormNode(bits[1], None, template_pack=get_template_pack())
