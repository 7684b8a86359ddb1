"""`{% url_once "name" %}`: `{% url "name" %}` for a view with no arguments, reversed once.

The base template's links use it: see `socex.url_once`.
"""

from django import template

from socex.url_once import reverse_once

register = template.Library()


@register.simple_tag
def url_once(viewname):
    return reverse_once(viewname)
