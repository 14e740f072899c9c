// Copy buttons on the commands of a lab's instructions: a real <button> after each code block
// (keyboard: Tab, then Enter or Space), which says "Copied" for a moment, also to screen readers.
(function () {
  "use strict";
  const box = document.querySelector(".instructions[data-copy-label]");
  if (!box) { return; }

  function fallbackCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let done = false;
    try { done = document.execCommand("copy"); } catch (ignored) { done = false; }
    area.remove();
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  box.querySelectorAll("pre").forEach(function (pre) {
    const code = pre.querySelector("code") || pre;
    const wrap = document.createElement("div");
    wrap.className = "code-block";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = box.dataset.copyLabel;
    const said = document.createElement("span");
    said.className = "visually-hidden";
    said.setAttribute("role", "status");
    wrap.insertBefore(button, pre);  // above the command, never over it (a phone scrolls it)
    wrap.appendChild(said);
    let timer = null;
    button.addEventListener("click", function () {
      const text = code.textContent.replace(/\n$/, "");
      const copying = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); })
        : fallbackCopy(text);
      copying.then(function () {
        button.textContent = box.dataset.copiedLabel;
        button.classList.add("copied");
        said.textContent = box.dataset.copiedLabel;
      }, function () {
        said.textContent = box.dataset.copyFailedLabel;
      }).finally(function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          button.textContent = box.dataset.copyLabel;
          button.classList.remove("copied");
          said.textContent = "";
        }, 2500);
      });
    });
  });
}());

// "Check" without leaving the page: post the same form with fetch, show a spinner and a status in
// an aria-live region, swap in the checklist the server rendered. A slow host's check answers 202
// ("pending") with a URL to poll until it is done. Without JavaScript the form posts normally and
// the server redirects to the result, which refreshes itself while pending.
(function () {
  "use strict";
  const form = document.querySelector("form[data-check-form]");
  if (!form) { return; }
  const status = document.getElementById("check-status");
  const result = document.getElementById("check-result");
  const history = document.getElementById("check-history");
  const button = form.querySelector("button[type=submit]");
  const meta = document.querySelector('meta[name="csrf-token"]');
  const deadline = Number(form.dataset.deadlineMs) || 30000;

  function show(text, state) {
    status.textContent = text;
    status.className = "check-status " + state;
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  async function answer(url, init, signal) {
    const response = await fetch(url, Object.assign({
      headers: { "X-CSRFToken": meta ? meta.content : "", "Accept": "application/json" },
      credentials: "same-origin", signal: signal }, init));
    let data = null;
    try { data = await response.json(); } catch (ignored) { data = null; }
    return { response: response, data: data };
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") { return; }
    form.setAttribute("aria-busy", "true");
    button.disabled = true;
    show(form.dataset.runningText, "running");
    const controller = new AbortController();
    const timer = setTimeout(function () { controller.abort(); }, deadline);
    try {
      let { response, data } = await answer(form.action, { method: "POST", body: new FormData(form) },
                                            controller.signal);
      while (response.status === 202 && data && data.poll) {
        result.innerHTML = data.html;
        show(data.summary, "pending");
        await sleep(1000);
        ({ response, data } = await answer(data.poll, { method: "GET" }, controller.signal));
      }
      if (response.ok && data && data.html) {
        result.innerHTML = data.html;  // rendered and escaped by the server's templates
        if (history && data.history_html) { history.innerHTML = data.history_html; }
        show(data.summary, data.status);
        result.focus();
      } else {
        show((data && data.message) || (form.dataset.failedText + " (HTTP " + response.status + ")"),
             "error");
      }
    } catch (error) {
      show(controller.signal.aborted ? form.dataset.timeoutText : form.dataset.networkText, "error");
    } finally {
      clearTimeout(timer);
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
}());
