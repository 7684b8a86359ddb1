from worker.checks import tasks_use_the_database_backend


def test_database_backend_passes_the_check():
    assert tasks_use_the_database_backend(None) == []


def test_another_backend_fails_the_check(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    [error] = tasks_use_the_database_backend(None)
    assert error.id == "worker.E001"
