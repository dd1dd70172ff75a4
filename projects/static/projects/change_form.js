// A refused save: bring the first message about a field into view and put the cursor there.
// A static file, so the content security policy needs no inline script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("project_form");
  if (!form) {
    return;
  }
  var first = form.querySelector(".form-row.errors, td .errorlist, tr.row-form-errors");
  if (!first) {
    first = document.getElementById("edit-conflict") || document.querySelector(".errornote");
  }
  if (!first) {
    return;
  }
  var row = first.closest("tr, .form-row") || first;
  row.scrollIntoView({ block: "center" });
  var field = row.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
  if (field) {
    field.focus({ preventScroll: true });
  }
});
