// Instructor board enhancements. Everything works without this file (server-side sorting and
// filtering through query parameters); with it, headers sort in place, the name filter narrows
// the rows as you type, and the invite link has a copy button. No inline script (CSP).
"use strict";

(function () {
  const table = document.getElementById("board");
  if (table) {
    enhanceSorting(table);
    enhanceNameFilter(table);
  }
  document.querySelectorAll("button.copy[data-copy]").forEach(enableCopy);

  function columnIndex(link) {
    const cell = link.closest("th");
    return Array.prototype.indexOf.call(cell.parentNode.children, cell);
  }

  function sortValue(row, index) {
    const cell = row.children[index];
    return cell ? (cell.dataset.sort || cell.textContent.trim()) : "";
  }

  function enhanceSorting(board) {
    const body = board.tBodies[0];
    board.querySelectorAll("thead a.sort").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (event.metaKey || event.ctrlKey || event.shiftKey) return;  // new tab: server sort
        event.preventDefault();
        const index = columnIndex(link);
        const descending = link.dataset.dir !== "desc" && link.classList.contains("sorted-asc");
        const rows = Array.from(body.rows).filter(function (row) { return row.dataset.student; });
        rows.sort(function (a, b) {
          const left = sortValue(a, index), right = sortValue(b, index);
          const order = left < right ? -1 : left > right ? 1 : 0;
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        board.querySelectorAll("thead a.sort").forEach(function (other) {
          other.classList.remove("sorted-asc", "sorted-desc");
          other.removeAttribute("aria-sort");
          other.closest("th").removeAttribute("aria-sort");
        });
        link.classList.add(descending ? "sorted-desc" : "sorted-asc");
        link.closest("th").setAttribute("aria-sort", descending ? "descending" : "ascending");
        // keep the address shareable: the same view the server would render
        const url = new URL(link.href);
        url.searchParams.set("dir", descending ? "desc" : "asc");
        history.replaceState(null, "", url.pathname + url.search);
      });
    });
  }

  function enhanceNameFilter(board) {
    const input = document.querySelector("input[data-filter-names]");
    if (!input) return;
    input.addEventListener("input", function () {
      const needle = input.value.trim().toLowerCase();
      Array.from(board.tBodies[0].rows).forEach(function (row) {
        if (!row.dataset.student) return;
        row.hidden = needle !== "" && row.dataset.student.toLowerCase().indexOf(needle) === -1;
      });
    });
  }

  function enableCopy(button) {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = button.dataset.done || "✔";
      });
    });
  }
})();
