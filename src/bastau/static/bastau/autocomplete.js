// The searchable picker of core/widgets.py: htmx fills the results as one types; this file
// puts the picked id into the hidden input and the picked name into the search box. No inline
// script (CSP); listeners on the document, keyed by data- attributes.
(function () {
  "use strict";
  if (window.bastauAutocomplete) return;
  window.bastauAutocomplete = true;

  function box(el) { return el.closest("[data-autocomplete]"); }

  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-pick-value]");
    if (!option) return;
    var root = box(option);
    if (!root) return;
    event.preventDefault();
    root.querySelector("[data-autocomplete-value]").value = option.getAttribute("data-pick-value");
    var input = root.querySelector("[data-autocomplete-input]");
    input.value = option.getAttribute("data-pick-label");
    input.setAttribute("aria-expanded", "false");
    root.querySelector(".autocomplete-results").innerHTML = "";
    input.focus();
  });

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-autocomplete-input]")) return;
    // A changed text no longer names the picked person: the choice must be made again.
    box(input).querySelector("[data-autocomplete-value]").value = "";
    input.setAttribute("aria-expanded", "true");
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "ArrowDown" || !input.matches || !input.matches("[data-autocomplete-input]")) return;
    var first = box(input).querySelector("[data-pick-value]");
    if (first) { event.preventDefault(); first.focus(); }
  });
})();
