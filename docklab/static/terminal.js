// The learner's terminal: xterm.js in [data-terminal], a WebSocket to data-url (terminal.py).
// Output arrives as binary frames (raw bytes: xterm.js decodes UTF-8 across frames); input goes
// out as {"type":"input","data":...}, the size as {"type":"resize","cols":N,"rows":M}.
// A dropped connection reconnects by itself (the server re-attaches the same tmux session);
// the server's own close codes (shell ended, no sandbox, busy) wait for "Connect again".
(function () {
  "use strict";

  var STOP_CODES = { 4001: "ended", 4004: "noSandbox", 4029: "busy", 4011: "error" };
  var MAX_DELAY_MS = 10000;

  // xterm.js adds <style> elements; the page's policy lets in those carrying its nonce.
  function allowStyles(nonce) {
    if (!nonce || document.__docklabStyleNonce) return;
    document.__docklabStyleNonce = nonce;
    var create = document.createElement;
    document.createElement = function (tag, options) {
      var element = create.call(document, tag, options);
      if (String(tag).toLowerCase() === "style") element.nonce = nonce;
      return element;
    };
  }

  function start(box) {
    if (typeof window.Terminal !== "function" || !window.FitAddon) return;
    allowStyles(box.dataset.styleNonce);
    var statusLine = box.querySelector("[data-terminal-status]");
    var again = box.querySelector("[data-terminal-reconnect]");
    var screen = box.querySelector("[data-terminal-screen]");
    var term = new window.Terminal({
      cursorBlink: true,
      convertEol: false,
      scrollback: 5000,
      fontFamily: '"DejaVu Sans Mono", "Noto Sans Mono CJK KR", "Noto Sans Mono", monospace',
      fontSize: 14,
    });
    var fit = new window.FitAddon.FitAddon();
    term.loadAddon(fit);
    term.open(screen);

    var ws = null;
    var delay = 500;
    var timer = null;
    var connects = 0;

    function status(key, state) {
      statusLine.textContent = box.dataset["text" + key.charAt(0).toUpperCase() + key.slice(1)];
      box.dataset.state = state;
    }

    function send(frame) {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(frame);
    }

    function sendSize() {
      send(JSON.stringify({ type: "resize", cols: term.cols, rows: term.rows }));
    }

    function refit() {
      try { fit.fit(); } catch (e) { /* hidden: no size to fit to */ }
    }

    function url() {
      var scheme = location.protocol === "https:" ? "wss:" : "ws:";
      // url_for gives ws://<server>/path for a WebSocket route: keep the path, use our host.
      return scheme + "//" + location.host + new URL(box.dataset.url, location.href).pathname;
    }

    function connect() {
      timer = null;
      again.hidden = true;
      connects += 1;
      status(connects === 1 ? "connecting" : "reconnecting", "connecting");
      var socket = new WebSocket(url());
      ws = socket;
      socket.binaryType = "arraybuffer";
      socket.onopen = function () {
        delay = 500;
        status("connected", "connected");
        refit();
        sendSize();
      };
      socket.onmessage = function (event) {
        if (typeof event.data !== "string") {
          term.write(new Uint8Array(event.data));
          return;
        }
        var frame = {};
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (frame.type === "hello") {
          // tmux redraws its screen on attach; a plain shell does not outlive a drop.
          if (frame.persistent && connects > 1) term.reset();
          box.dataset.persistent = frame.persistent ? "yes" : "no";
          if (!frame.persistent) {
            statusLine.textContent = box.dataset.textConnected + " · " + box.dataset.textNotKept;
          }
          sendSize();
        }
      };
      socket.onclose = function (event) {
        if (ws !== socket) return;
        ws = null;
        var stop = STOP_CODES[event.code];
        if (stop) {
          status(stop, stop);
          again.hidden = false;
          return;
        }
        status("reconnecting", "reconnecting");
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, MAX_DELAY_MS);
      };
    }

    term.onData(function (data) {
      send(JSON.stringify({ type: "input", data: data }));
    });
    term.onBinary(function (data) {  // some mouse reports: one byte per character
      var bytes = new Uint8Array(data.length);
      for (var i = 0; i < data.length; i += 1) bytes[i] = data.charCodeAt(i) & 255;
      send(bytes);
    });
    term.onResize(sendSize);
    again.addEventListener("click", function () {
      if (!ws && !timer) { connects = 1; connect(); }
      term.focus();
    });
    if (window.ResizeObserver) new ResizeObserver(refit).observe(screen);
    window.addEventListener("resize", refit);
    // For tests and the curious: the terminal and its current socket.
    box.docklab = { terminal: term, socket: function () { return ws; } };
    refit();
    connect();
  }

  document.querySelectorAll("[data-terminal]").forEach(start);
})();
