import pytest
from django.urls import reverse

from outbox.models import OutgoingEmail
from outbox.tasks import send_messages
from tests.factories import AdminUserFactory
from worker.heartbeat import beat

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:django_tasks_database_dbtaskresult_changelist",
    "admin:worker_workerheartbeat_changelist",
    "admin:worker_periodicjob_changelist",
]


@pytest.fixture
def a_job():
    message = OutgoingEmail.objects.create(to="priya@kent.police.uk", subject="S", body_text="B")
    beat(worker_id="host-1-abc")
    return send_messages.enqueue(message_ids=[message.pk])


@pytest.mark.parametrize("page", PAGES)
def test_organisers_see_background_work(client, a_job, page):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    response = client.get(reverse(page))
    assert response.status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("group", ["Staff", "Catering & access"])
def test_other_roles_do_not_see_background_work(client, a_job, page, group):
    client.force_login(AdminUserFactory(groups=[group]))
    assert client.get(reverse(page)).status_code == 403


def test_a_job_page_shows_ids_not_addresses(client, a_job):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    page = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[a_job.id])
    ).content.decode()
    assert "send_messages" in page
    assert "priya@kent.police.uk" not in page
