"""Every command `manage.py help` lists for our own apps loads: helper modules live elsewhere."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import BaseCommand, get_commands, load_command_class


def our_commands():
    ours = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
    }
    return {name: app for name, app in get_commands().items() if app in ours}


def test_every_command_of_ours_loads_as_a_command():
    commands = our_commands()
    assert "ensure_organiser" in commands
    failures = []
    for name, app in sorted(commands.items()):
        try:
            command = load_command_class(app, name)
        except Exception as error:  # any failure to load is the finding
            failures.append(f"{app}: {name}: {error!r}")
            continue
        if not isinstance(command, BaseCommand):
            failures.append(f"{app}: {name}: {type(command)!r} is not a BaseCommand")
    assert not failures, failures
