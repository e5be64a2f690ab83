/* Surveys: a conditional question is shown only when the answer it depends on is chosen.
   Without this file every question is shown with its condition written under it, and the
   server counts only the answers the conditions allow (bastau.voice.surveys.rules). */
(function () {
  "use strict";

  function chosen(form, name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var source = box.getAttribute("data-show-if");
      var wanted = (box.getAttribute("data-show-values") || "").split(",");
      var sourceBox = form.querySelector("[data-question='" + source + "']");
      var visible = !(sourceBox && sourceBox.hidden) &&
        chosen(form, source).some(function (v) { return wanted.indexOf(v) !== -1; });
      box.hidden = !visible;
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.matches("form[data-survey]")) { update(form); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-survey]").forEach(update);
  });
})();
