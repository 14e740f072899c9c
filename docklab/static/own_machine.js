// "Check on my computer" on a lab page: ask for a fresh single-use line, show it with a copy
// button and its expiry. Without JavaScript the form posts and a page shows the line.
(function () {
  "use strict";
  const form = document.querySelector("form[data-own-machine]");
  if (!form) return;
  const box = document.querySelector("[data-own-machine-result]");
  const line = document.getElementById("own-machine-line");
  const expires = document.querySelector("[data-own-machine-expires]");
  const copy = document.querySelector("[data-own-machine-copy]");
  const meta = document.querySelector('meta[name="csrf-token"]');
  const copyText = copy.textContent;
  const token = meta ? meta.content : form.querySelector("[name=csrf_token]").value;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, { method: "POST", credentials: "same-origin",
                         headers: { "X-CSRFToken": token, "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) throw new Error(answer.body.message || form.dataset.failedText);
        line.textContent = answer.body.command;
        copy.textContent = copyText;
        const time = new Date(answer.body.expires_at).toLocaleTimeString();
        expires.textContent = form.dataset.expiresText.replace("{time}", time);
        box.hidden = false;
        line.focus();
      })
      .catch(function (error) {
        expires.textContent = error.message || form.dataset.failedText;
        box.hidden = false;
      })
      .finally(function () { button.disabled = false; });
  });

  // Without the Clipboard API (a page over plain http), select the line and copy it the old way.
  function copyBySelection() {
    const range = document.createRange();
    range.selectNodeContents(line);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return document.execCommand && document.execCommand("copy");
  }

  copy.addEventListener("click", function () {
    const text = line.textContent.trim();
    const done = function () { copy.textContent = copy.dataset.done; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { if (copyBySelection()) done(); });
    } else if (copyBySelection()) {
      done();
    }
  });
})();
