// docklab quiz: keyboard shortcuts and in-place reordering on top of plain forms that work
// without JavaScript (the server handles every answer and every "move" button too).
(function () {
  "use strict";

  function focusFirst() {
    var target = document.querySelector("[data-autofocus]");
    if (target && document.activeElement === document.body) { target.focus(); }
  }

  function typing(element) {
    var tag = element && element.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && element.type !== "radio" && element.type !== "checkbox");
  }

  function submit(form) {
    if (form.requestSubmit) { form.requestSubmit(form.querySelector("button.submit")); }
    else { form.submit(); }
  }

  // Number keys pick the n-th choice; Enter submits from a choice.
  function choices(form) {
    form.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
      if (/^[1-9]$/.test(event.key)) {
        var input = form.querySelector('input[data-key="' + event.key + '"]');
        if (input) {
          event.preventDefault();
          if (input.type === "radio") { input.checked = true; } else { input.checked = !input.checked; }
          input.focus();
        }
      } else if (event.key === "Enter" && event.target.tagName === "INPUT") {
        event.preventDefault();
        submit(form);
      }
    });
  }

  // Ordering: move items in place (buttons or ↑/↓ on a focused item); the hidden inputs follow
  // the DOM order, so the posted answer is the order on screen.
  function ordering(list) {
    var status = document.getElementById("order-status");

    function refresh() {
      var items = list.querySelectorAll(".order-item");
      items.forEach(function (item, index) {
        item.querySelector(".move-up").disabled = index === 0;
        item.querySelector(".move-down").disabled = index === items.length - 1;
        item.querySelector(".move-up").value = index + ":up";
        item.querySelector(".move-down").value = index + ":down";
      });
    }

    function move(item, direction, keepFocus) {
      var sibling = direction === "up" ? item.previousElementSibling : item.nextElementSibling;
      if (!sibling) { return; }
      if (direction === "up") { list.insertBefore(item, sibling); }
      else { list.insertBefore(sibling, item); }
      refresh();
      keepFocus.focus();
      if (status) {
        var position = Array.prototype.indexOf.call(list.children, item) + 1;
        status.textContent = item.querySelector(".order-text").textContent.trim() + ": " + position;
      }
    }

    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[name=move]");
      if (!button) { return; }
      event.preventDefault();
      var direction = button.classList.contains("move-up") ? "up" : "down";
      var item = button.closest(".order-item");
      move(item, direction, button.disabled ? item : button);
      if (button.disabled) { item.focus(); }
    });
    list.addEventListener("keydown", function (event) {
      var item = event.target;
      if (!item.classList || !item.classList.contains("order-item")) { return; }
      if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        move(item, event.key === "ArrowUp" ? "up" : "down", item);
      } else if (event.key === "Enter") {
        event.preventDefault();
        submit(list.closest("form"));
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("answer-form");
    if (form) {
      // any question type whose template numbers its inputs (data-key) gets the number keys
      if (form.querySelector("input[data-key]")) { choices(form); }
      var list = form.querySelector("[data-ordering]");
      if (list) { ordering(list); }
    }
    focusFirst();
  });
})();
