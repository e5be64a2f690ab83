// The searchable pickers of core/widgets.py: htmx fills the results as one types; this file
// does the picking. One person (Autocomplete): the picked id goes into the hidden input and the
// name into the search box. Several (AutocompleteMultiple, data-autocomplete-multiple): a picked
// person is added to the list of chosen ones, as a hidden input with the field's name and a
// button that removes them. Keyboard: Down from the search box to the results, Up/Down among
// them, Enter or Space picks, Escape goes back to the box; Enter in the box never submits the
// form. No inline script (CSP); listeners on the document, keyed by data- attributes.
(function () {
  "use strict";
  if (window.bastauAutocomplete) return;
  window.bastauAutocomplete = true;

  function box(el) { return el.closest("[data-autocomplete]"); }
  function input(root) { return root.querySelector("[data-autocomplete-input]"); }
  function results(root) { return root.querySelector(".autocomplete-results"); }

  function close(root) {
    input(root).setAttribute("aria-expanded", "false");
    results(root).innerHTML = "";
  }

  function showNone(root) {
    var none = root.querySelector(".chosen-none");
    var list = root.querySelector("[data-autocomplete-chosen]");
    if (none && list) none.hidden = list.children.length > 0;
  }

  function addChosen(root, value, label) {
    var list = root.querySelector("[data-autocomplete-chosen]");
    var present = list.querySelectorAll("[data-chosen-value]");
    for (var i = 0; i < present.length; i++) {
      if (present[i].getAttribute("data-chosen-value") === value) return;
    }
    var item = document.createElement("li");
    item.setAttribute("data-chosen-value", value);
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = root.getAttribute("data-name");
    hidden.value = value;
    var text = document.createElement("span");
    text.className = "chip-label";
    text.textContent = label;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link";
    remove.setAttribute("data-autocomplete-remove", "");
    remove.setAttribute(
      "aria-label", root.getAttribute("data-remove-label").replace("%(name)s", label)
    );
    remove.textContent = root.getAttribute("data-remove-text");
    item.appendChild(hidden);
    item.appendChild(text);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(remove);
    list.appendChild(item);
    showNone(root);
  }

  document.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-autocomplete-remove]");
    if (remove) {
      var owner = box(remove);
      if (!owner) return;
      event.preventDefault();
      var item = remove.closest("[data-chosen-value]");
      // The focus goes to the next person's remove button, else back to the search box.
      var next = item.nextElementSibling || item.previousElementSibling;
      item.parentNode.removeChild(item);
      showNone(owner);
      var target = next && next.querySelector("[data-autocomplete-remove]");
      (target || input(owner)).focus();
      return;
    }
    var option = event.target.closest("[data-pick-value]");
    if (!option) return;
    var root = box(option);
    if (!root) return;
    event.preventDefault();
    var value = option.getAttribute("data-pick-value");
    var label = option.getAttribute("data-pick-label");
    var search = input(root);
    if (root.hasAttribute("data-autocomplete-multiple")) {
      addChosen(root, value, label);
      search.value = "";
    } else {
      root.querySelector("[data-autocomplete-value]").value = value;
      search.value = label;
    }
    close(root);
    search.focus();
  });

  document.addEventListener("input", function (event) {
    var search = event.target;
    if (!search.matches || !search.matches("[data-autocomplete-input]")) return;
    var root = box(search);
    // A changed text no longer names the picked person: the choice must be made again.
    var single = root.querySelector("[data-autocomplete-value]");
    if (single) single.value = "";
    search.setAttribute("aria-expanded", "true");
  });

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (!el.matches) return;
    if (el.matches("[data-autocomplete-input]")) {
      if (event.key === "Enter") {
        // Enter asks for the results now; it does not submit a half-made choice.
        event.preventDefault();
        if (window.htmx && el.value.trim().length >= 2) window.htmx.trigger(el, "search");
        return;
      }
      if (event.key === "Escape") { close(box(el)); return; }
      if (event.key !== "ArrowDown") return;
      var first = box(el).querySelector("[data-pick-value]");
      if (first) { event.preventDefault(); first.focus(); }
      return;
    }
    if (!el.matches("[data-pick-value]") || !box(el)) return;
    var root = box(el);
    var options = Array.prototype.slice.call(root.querySelectorAll("[data-pick-value]"));
    var at = options.indexOf(el);
    if (event.key === "ArrowDown" && at < options.length - 1) {
      event.preventDefault(); options[at + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault(); (at > 0 ? options[at - 1] : input(root)).focus();
    } else if (event.key === "Escape") {
      event.preventDefault(); close(root); input(root).focus();
    }
  });
})();
