// The learner's sandbox beside a lab: start it when the page opens, show its state (polled while
// it starts or waits in line), reset it on request, open a published port in a new tab, and
// tell the terminal to connect once the sandbox is ready.
(function () {
  "use strict";
  const panel = document.querySelector("[data-sandbox]");
  if (!panel || !panel.querySelector("[data-sandbox-state]")) { return; }
  const stateLine = panel.querySelector("[data-sandbox-state]");
  const startButton = panel.querySelector("[data-sandbox-start]");
  const resetButton = panel.querySelector("[data-sandbox-reset]");
  const portForm = panel.querySelector("[data-sandbox-port]");
  const meta = document.querySelector('meta[name="csrf-token"]');
  let timer = null;
  let wasReady = false;

  function post(url) {
    return fetch(url, { method: "POST", credentials: "same-origin",
                        headers: { "X-CSRFToken": meta ? meta.content : "", "Accept": "application/json" } })
      .then(function (response) { return response.json(); });
  }

  function show(state) {
    let text = state.label || state.state;
    if (state.state === "queued") {
      text = panel.dataset.textQueued.replace("{position}", state.position)
        .replace("{minutes}", Math.max(1, Math.round((state.estimate_seconds || 60) / 60)));
    } else if (state.message) {
      text += " — " + state.message;
    }
    stateLine.textContent = text;
    stateLine.dataset.state = state.state;
    panel.dataset.state = state.state;
    startButton.hidden = !["stopped", "none"].includes(state.state);
    const ready = state.state === "ready";
    if (ready && !wasReady) {
      document.dispatchEvent(new CustomEvent("docklab:sandbox-ready"));
      const again = document.querySelector("[data-terminal-reconnect]");
      if (again && !again.hidden) { again.click(); }
    }
    wasReady = ready;
    clearTimeout(timer);
    if (["starting", "queued"].includes(state.state)) {
      timer = setTimeout(poll, state.state === "queued" ? 5000 : 500);
    }
  }

  function poll(active) {
    const url = panel.dataset.stateUrl + (active === true ? "?active=1" : "");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); }).then(show)
      .catch(function () { timer = setTimeout(poll, 3000); });
  }

  function start() {
    post(panel.dataset.startUrl).then(function (state) {
      if (state.error) { stateLine.textContent = panel.dataset.textFailed + " " + state.message; return; }
      show(state);
    });
  }

  startButton.addEventListener("click", start);
  resetButton.addEventListener("click", function () {
    if (!window.confirm(panel.dataset.textResetConfirm)) { return; }
    wasReady = false;
    post(panel.dataset.resetUrl).then(function () { start(); });
  });
  portForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const port = Number(portForm.elements.port.value);
    if (port > 0 && port < 65536) {
      window.open(panel.dataset.portUrl.replace(/\/0\/$/, "/" + port + "/"), "_blank", "noopener");
    }
  });
  // While the page is open and seen, the sandbox is in use: it is not stopped as idle.
  setInterval(function () {
    if (document.visibilityState === "visible" && panel.dataset.state === "ready") { poll(true); }
  }, 60000);
  start();
}());
