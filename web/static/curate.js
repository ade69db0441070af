// A document page, signed in: select words of the body to propose them as a target the extractor missed.
// The body's text content is the document's text, so a selection's offsets in it are offsets in the document.
(function () {
  "use strict";
  var body = document.querySelector("[data-selectable-body]");
  var form = document.querySelector("[data-add-target-form]");
  if (!body || !form) return;
  var start = form.querySelector("[data-span-start]");
  var end = form.querySelector("[data-span-end]");
  var text = form.querySelector("[data-selected-text]");
  var hint = document.createElement("button");
  hint.type = "button";
  hint.className = "small-button ws-selection-hint";
  hint.textContent = "将选中文字新增为目标";
  hint.hidden = true;
  hint.setAttribute("data-selection-hint", "");
  document.body.appendChild(hint);

  function offset(node, at) {
    var range = document.createRange();
    range.setStart(body, 0);
    range.setEnd(node, at);
    return range.toString().length;
  }

  function pick() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    var range = selection.getRangeAt(0);
    if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) return;
    var chosen = range.toString();
    if (!chosen.trim() || chosen.length > 300) return;
    start.value = String(offset(range.startContainer, range.startOffset));
    end.value = String(offset(range.endContainer, range.endOffset));
    text.value = chosen;
    var box = range.getBoundingClientRect();
    hint.style.top = window.scrollY + box.bottom + 6 + "px";
    hint.style.left = window.scrollX + box.left + "px";
    hint.hidden = false;
  }

  body.addEventListener("mouseup", function () { window.setTimeout(pick, 0); });
  body.addEventListener("keyup", function () { window.setTimeout(pick, 0); });
  // Typing the text by hand: the server finds its one place in the document.
  text.addEventListener("input", function () { start.value = ""; end.value = ""; });
  hint.addEventListener("click", function () {
    hint.hidden = true;
    form.scrollIntoView({ block: "center" });
    var first = form.querySelector("[data-field=indicator]");
    if (first) first.focus();
  });
})();
