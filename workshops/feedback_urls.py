from django.urls import path

from workshops.views import feedback

app_name = "feedback"

urlpatterns = [
    path("<str:token>/", feedback.survey, name="survey"),
]
