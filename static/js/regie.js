/* Wide tables scroll inside their own container, which keyboard users can reach and screen
   readers name: every table in the page's main part gets one unless the template gave it. */
(function () {
  "use strict";
  function label(table) {
    var caption = table.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var node = table.parentElement;
    while (node && node.tagName !== "MAIN") {
      var sibling = node.previousElementSibling;
      while (sibling) {
        if (/^H[1-6]$/.test(sibling.tagName)) return sibling.textContent.trim();
        sibling = sibling.previousElementSibling;
      }
      node = node.parentElement;
    }
    var heading = document.querySelector("main h1");
    return heading ? heading.textContent.trim() : document.title;
  }
  function wrap(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("table-scroll")) {
        box = document.createElement("div");
        box.className = "table-scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", label(table));
    });
  }
  document.addEventListener("DOMContentLoaded", function () { wrap(document); });
  document.addEventListener("htmx:afterSettle", function (event) { wrap(event.target.closest("main") || document); });
})();
