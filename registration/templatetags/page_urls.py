"""`{% url_once "name" %}`: `{% url "name" %}` for a view with no arguments, reversed once;
`{% static_once "path" %}`: `{% static "path" %}`, looked up once.

The base template's links and files use them: see `socex.url_once`.
"""

from django import template

from socex.url_once import reverse_once, static_once

register = template.Library()


@register.simple_tag
def url_once(viewname):
    return reverse_once(viewname)


@register.simple_tag(name="static_once")
def static_once_tag(path):
    return static_once(path)
