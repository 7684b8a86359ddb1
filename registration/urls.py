from django.urls import path

from registration.views import confirmation, details, handover, link

app_name = "registration"

urlpatterns = [
    path("confirm/", confirmation.confirm_email, name="confirm_email"),
    path("confirm/new-code/", confirmation.resend_code, name="resend_code"),
    path("link/", link.request_link, name="request_link"),
    path("link/<str:token>/", link.open_link, name="open_link"),
    path("details/", details.edit_details, name="edit_details"),
    path("hand-over/", handover.offer, name="hand_over"),
    path("hand-over/withdraw/", handover.withdraw, name="withdraw_handover"),
    path("take-over/<str:token>/", handover.accept, name="accept_handover"),
    path("sign-out/", link.sign_out, name="sign_out"),
]
