// Django's autocomplete boxes (select2) name their read-only text box only by the title select2
// sets once something is chosen, so an empty one has no accessible name (axe:
// aria-input-field-name). Name each by its field's label from the start.
//
// Django's autocomplete.js makes the boxes with `$.fn.djangoAdminSelect2`, from a jQuery
// "ready" handler that jQuery 3 runs in a task of its own, possibly after the window's "load"
// event. A separate ready handler of ours would run in a later task, leaving a moment with an
// unnamed box (a test's axe check landed in it now and then). So this file, loaded after
// Django's, wraps that function: the boxes are named in the same task that makes them.
// It also names them on "load", for boxes made before this file ran; naming twice is harmless.
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
  const $ = window.django && window.django.jQuery;
  if ($ && $.fn.djangoAdminSelect2) {
    const makeBoxes = $.fn.djangoAdminSelect2;
    $.fn.djangoAdminSelect2 = function () {
      const made = makeBoxes.apply(this, arguments);
      nameBoxes();
      return made;
    };
  }
  window.addEventListener("load", nameBoxes);
})();
