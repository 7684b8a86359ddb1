// Django's autocomplete boxes (select2) name their read-only text box only by the title select2
// sets once something is chosen, so an empty one has no accessible name (axe:
// aria-input-field-name). Name each by its field's label from the start.
//
// Django's autocomplete.js makes the boxes in a jQuery "ready" handler, which jQuery 3 runs
// asynchronously: it may come after the window's "load" event. So this runs as a ready
// handler too, queued after Django's (this file is loaded after it), and again on "load";
// naming a box twice is harmless.
"use strict";
(function () {
  function nameBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const label = document.querySelector('label[for="' + select.id + '"]');
      const shown = document.getElementById("select2-" + select.id + "-container");
      if (label && shown) {
        shown.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
      }
    });
  }
  if (window.django && window.django.jQuery) {
    window.django.jQuery(nameBoxes);
  }
  window.addEventListener("load", nameBoxes);
})();
