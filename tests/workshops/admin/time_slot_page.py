"""What a time slot's admin page posts."""

from django.utils import timezone


def post_time_slot(client, slot, *, starts_at, ends_at):
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return client.post(
        f"/admin/workshops/timeslot/{slot.pk}/change/",
        {
            "event": slot.event_id,
            "name": slot.name,
            "starts_at_0": f"{local_start:%Y-%m-%d}",
            "starts_at_1": f"{local_start:%H:%M:%S}",
            "ends_at_0": f"{local_end:%Y-%m-%d}",
            "ends_at_1": f"{local_end:%H:%M:%S}",
        },
        follow=True,
    )
