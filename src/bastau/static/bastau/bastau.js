/* Bastau: the few behaviours the pages need, as listeners rather than inline handlers, so that
   the Content-Security-Policy can forbid inline script. Every page works without this file;
   it only saves a click or a double submission. Listeners sit on the document, so content
   swapped in by htmx gets them too. */
(function () {
  "use strict";

  /* The language switcher submits its form as soon as a language is chosen
     (without script, a <noscript> button does it). */
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-submit-on-change]") && select.form) {
      select.form.submit();
    }
  });

  /* A read-only field whose whole value is meant to be copied (the ballot tracker) is
     selected when it gets the focus. */
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field.matches && field.matches("input[data-select-on-focus]")) {
      field.select();
    }
  });

  /* A form that must not be sent twice (casting a ballot): its submit buttons are disabled
     once it is sent, and enabled again after a while in case the network lost the request. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-submit-once]") || event.defaultPrevented) {
      return;
    }
    var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
    var seconds = parseInt(form.getAttribute("data-submit-once"), 10) || 15;
    /* Disabled after the submission has started, so the button's own name and value still go. */
    window.setTimeout(function () {
      buttons.forEach(function (button) { button.disabled = true; });
    }, 0);
    window.setTimeout(function () {
      buttons.forEach(function (button) { button.disabled = false; });
    }, seconds * 1000);
  });
})();
