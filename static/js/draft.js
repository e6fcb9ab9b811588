// Keeps a draft safe: saves typed answers in the background and warns before leaving unsaved work.
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var dirty = false;
  var timer = null;
  var submitting = false;

  function save() {
    timer = null;
    var data = new FormData(form);
    // Files go up only with an explicit button press.
    Array.prototype.slice.call(form.querySelectorAll("input[type=file]")).forEach(function (input) { data.delete(input.name); });
    data.set("action", "autosave");
    fetch(form.dataset.autosaveUrl, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (answer) {
        // An answer over its length cap is refused: the page keeps it, the server does not.
        dirty = !answer.saved;
        if (status) status.textContent = answer.saved ? (status.dataset.saved || "✓") : (status.dataset.refused || "!");
      })
      .catch(function () { if (status) status.textContent = status.dataset.failed || "!"; });
  }

  form.addEventListener("input", function (event) {
    if (event.target.type === "file") return;
    dirty = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
  form.addEventListener("submit", function (event) {
    submitting = true;
    var button = event.submitter;
    if (button && button.hasAttribute("data-once")) {
      // The server already makes a double submit harmless; this only spares a second wait.
      setTimeout(function () { button.disabled = true; }, 0);
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });
})();
