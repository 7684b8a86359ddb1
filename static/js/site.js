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

  // A search box that narrows the long list of agencies. Each word typed must start a
  // word of the agency's name or of its short names (data-aliases: NCA, HMRC, ROCU),
  // so "nca" finds the National Crime Agency and not Lancashire. It never picks for
  // the delegate: the list shrinks, the choice stays theirs. Options are taken out of
  // the list rather than hidden, which phones ignore; without JavaScript the full,
  // grouped list works as it is.
  var filter = document.querySelector("[data-agency-filter]");
  var select = document.getElementById("id_agency");
  if (filter && select) {
    filter.hidden = false;
    var input = filter.querySelector("input");
    var count = document.getElementById("agency-filter-count");
    var words = function (text) {
      return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
        .split(/[^a-z0-9]+/).filter(Boolean);
    };
    var placeholder = Array.prototype.filter.call(select.children, function (child) {
      return child.tagName === "OPTION";
    });
    var groups = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (group) {
      return {
        element: group,
        options: Array.prototype.map.call(group.querySelectorAll("option"), function (option) {
          return { element: option, words: words(option.textContent + " " + (option.dataset.aliases || "")) };
        }),
      };
    });
    var announce = null;
    // Enter (a phone's Go key) in the search box would send the whole form, half filled
    // in: it takes the delegate to the narrowed list instead, to choose from.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });
    input.addEventListener("input", function () {
      var terms = words(input.value);
      var chosen = select.value;
      var shown = 0;
      var kept = null;
      var children = placeholder.slice();
      groups.forEach(function (group) {
        var matching = group.options.filter(function (option) {
          var match = terms.every(function (term) {
            return option.words.some(function (word) { return word.indexOf(term) === 0; });
          });
          if (match) { shown += 1; }
          // The delegate's own choice stays in the list, matching or not.
          if (!match && option.element.value === chosen) { kept = option.element; }
          return match || option.element.value === chosen;
        });
        group.element.replaceChildren.apply(group.element, matching.map(function (o) { return o.element; }));
        if (matching.length) { children.push(group.element); }
      });
      select.replaceChildren.apply(select, children);
      select.value = chosen;
      var message = "";
      if (terms.length) {
        message = shown === 0
          ? "No agency matches “" + input.value.trim() + "”. Try a short name such as NCA, or tick “My agency is not listed”."
          : shown === 1
            ? "1 agency matches. Choose it from the list."
            : shown + " agencies match. Choose yours from the list.";
        if (kept) { message += " Your choice, " + kept.textContent + ", stays selected."; }
      }
      // Announce once typing pauses, not at every key.
      window.clearTimeout(announce);
      announce = window.setTimeout(function () { count.textContent = message; }, 400);
    });
  }

  // The "name your agency" box matters only when the agency is not listed.
  var notListed = document.getElementById("id_agency_not_listed");
  var other = document.getElementById("div_id_other_agency");
  if (notListed && other) {
    // Its agency list (and the search over it) is set aside meanwhile: the server
    // ignores a choice made there once the box is ticked.
    var agencyList = document.getElementById("id_agency");
    var agencySearch = document.querySelector("[data-agency-filter] input");
    var sync = function () {
      other.hidden = !notListed.checked;
      if (agencyList) { agencyList.disabled = notListed.checked; }
      if (agencySearch) { agencySearch.disabled = notListed.checked; }
    };
    notListed.addEventListener("change", sync);
    sync();
  }
});
