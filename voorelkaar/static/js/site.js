// Progressive enhancement only: every page works without this file.
// Move focus to the error summary, so screen readers read the errors first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});

// A form that is being sent says so on its button and is not sent again by a second
// click or Enter. Without this, the form's one-time token on the server still makes
// nothing twice; this only spares the wait and the doubt on a slow line.
(function () {
  var script = document.currentScript;
  var busyText = (script && script.dataset.busyText) || "Bezig…";
  // After this long the button works again: a stalled line may need a retry, and the
  // server lands a repeat of the same form on the first result.
  var RETRY_AFTER_MS = 10000;
  var labels = new WeakMap();

  function markBusy(form, button) {
    form.dataset.busy = "true";
    if (button) {
      labels.set(button, button.innerHTML);
      button.setAttribute("aria-disabled", "true");
      button.textContent = busyText;
    }
    window.setTimeout(function () { reset(form); }, RETRY_AFTER_MS);
  }

  function reset(form) {
    delete form.dataset.busy;
    form.querySelectorAll("[aria-disabled='true']").forEach(function (button) {
      if (labels.has(button)) {
        button.innerHTML = labels.get(button);
        button.removeAttribute("aria-disabled");
        labels.delete(button);
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.busy) {
      event.preventDefault();
      return;
    }
    // Not disabled: a disabled button would leave its name and value out of the form.
    markBusy(form, event.submitter || form.querySelector("button[type='submit'], button:not([type])"));
  });

  // Back may show the page from memory, busy as it was left.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-busy]").forEach(reset);
    }
  });
})();

// A part of a form that only one answer needs (data-shown-for="schedule=weekly") shows only
// while that answer is chosen. Without this file every part stays, its legend saying when.
(function () {
  function update(form) {
    form.querySelectorAll("[data-shown-for]").forEach(function (part) {
      var rule = part.dataset.shownFor.split("=");
      var chosen = form.querySelector("input[name='" + rule[0] + "']:checked");
      part.hidden = Boolean(chosen) && chosen.value !== rule[1];
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-shown-for]")) {
        update(form);
        form.addEventListener("change", function () { update(form); });
      }
    });
  });
})();
