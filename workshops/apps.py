from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Workshops"

    def ready(self):
        # Connects the receivers that answer registration's signals (registration.signals).
        from workshops.services import availability, booking, privacy  # noqa: F401
