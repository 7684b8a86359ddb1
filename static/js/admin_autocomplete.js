// Django's autocomplete boxes (select2) name their read-only text box only by the title select2
// sets once something is chosen, so an empty one has no accessible name (axe:
// aria-input-field-name). Name each by its field's label from the start. Runs on "load", after
// Django's autocomplete.js has made the boxes (on DOMContentLoaded).
"use strict";
window.addEventListener("load", function () {
  document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
    const label = document.querySelector('label[for="' + select.id + '"]');
    const shown = document.getElementById("select2-" + select.id + "-container");
    if (label && shown) {
      shown.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
    }
  });
});
