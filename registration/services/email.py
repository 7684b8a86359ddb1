"""The one way to email a delegate: a template, its context, and the outbox.

Every message about a delegate goes through `email_delegate`, which adds the
delegate, their event and (when asked) a fresh booking link to the context,
and tags the message with `delegate_reference` so privacy tools can find or
forget it later. Nothing here sends: the outbox does, after the commit.
"""

from outbox.services import queue_email
from registration.services.link import issue_manage_link


def delegate_reference(delegate):
    """The outbox tag of every message about `delegate` (`OutgoingEmail.about`)."""
    return f"delegate:{delegate.pk}"


def email_delegate(
    *,
    delegate,
    subject,
    template,
    context=None,
    with_link=False,
    secrets=None,
    attachment=None,
):
    """Queue `template` (`.txt` and `.html`) to `delegate`; return the `OutgoingEmail`.

    The subject is prefixed with the event's name; a reply goes to the event's
    contact address. Side effects: inserts the
    message (sent after the commit, see `outbox.services.queue_email`) and,
    with `with_link`, a new single-use booking link, passed as `link`.
    `secrets` (name -> text, such as a confirmation code) reach the template
    like `context` but, like the link, are stored only encrypted.
    """
    context = {"delegate": delegate, "event": delegate.event, **(context or {})}
    # The link is a credential: the outbox stores it only encrypted (outbox.sealing).
    secrets = dict(secrets or {})
    if with_link:
        secrets["link"] = issue_manage_link(delegate=delegate)
    return queue_email(
        to=delegate.email,
        subject=f"{delegate.event.name}: {subject}",
        template=template,
        context=context,
        about=delegate_reference(delegate),
        reply_to=delegate.event.contact_email,
        secrets=secrets or None,
        attachment=attachment,
    )
