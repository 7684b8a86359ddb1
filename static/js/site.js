// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen readers announce what went wrong.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    // Each error links to its question: put the focus in the field itself, with its
    // label or legend in view (a plain fragment link only scrolls).
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      var field = target.matches("input, select, textarea") && !target.disabled
        ? target
        : target.querySelector("input:not([disabled]), select:not([disabled]), textarea:not([disabled])");
      if (!field) { return; }
      event.preventDefault();
      var group = field.closest("fieldset");
      var label = document.querySelector("label[for='" + field.id + "']");
      var heading = (field.type === "radio" && group && group.querySelector("legend")) || label || field;
      heading.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // A search box that narrows the long list of agencies.
  var filter = document.querySelector("[data-agency-filter]");
  var select = document.getElementById("id_agency");
  if (filter && select) {
    filter.hidden = false;
    var input = filter.querySelector("input");
    var count = document.getElementById("agency-filter-count");
    input.addEventListener("input", function () {
      var term = input.value.trim().toLowerCase();
      var shown = 0;
      select.querySelectorAll("option").forEach(function (option) {
        if (!option.value) { return; }
        var match = option.textContent.toLowerCase().indexOf(term) !== -1;
        option.hidden = !match;
        option.disabled = !match;
        if (match) { shown += 1; }
      });
      count.textContent = term ? shown + " matching agencies" : "";
      if (shown === 1) {
        var only = Array.prototype.find.call(select.options, function (o) { return o.value && !o.hidden; });
        if (only) { select.value = only.value; }
      }
    });
  }

  // The "name your agency" box matters only when the agency is not listed.
  var notListed = document.getElementById("id_agency_not_listed");
  var other = document.getElementById("div_id_other_agency");
  if (notListed && other) {
    var sync = function () { other.hidden = !notListed.checked; };
    notListed.addEventListener("change", sync);
    sync();
  }
});
