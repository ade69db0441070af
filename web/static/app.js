/* PolicyKB: keyboard shortcut, citation box (style select, copy) and the report basket (localStorage). */
(function () {
  "use strict";

  var BASKET_KEY = "policykb.basket";
  var BASKET_MAX = 200;

  function readBasket() {
    try {
      var ids = JSON.parse(window.localStorage.getItem(BASKET_KEY) || "[]");
      return Array.isArray(ids) ? ids.filter(function (x) { return typeof x === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  function writeBasket(ids) {
    try {
      window.localStorage.setItem(BASKET_KEY, JSON.stringify(ids.slice(0, BASKET_MAX)));
    } catch (e) { /* storage full or disabled: nothing to do */ }
    updateCount();
  }

  function updateCount() {
    var n = readBasket().length;
    document.querySelectorAll("[data-basket-count]").forEach(function (el) {
      el.textContent = String(n);
      el.hidden = n === 0;
    });
  }

  function setStatus(box, text) {
    var status = box && box.querySelector("[data-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function fallbackCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function visibleStyle(box) {
    var blocks = box.querySelectorAll(".cite-style");
    for (var i = 0; i < blocks.length; i++) {
      if (!blocks[i].hidden) { return blocks[i]; }
    }
    return blocks[0];
  }

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // Copy `text`; report in `box`'s status; when the clipboard refuses, select `el` for Ctrl+C.
  function copyWithStatus(box, text, el, what) {
    copyText(text).then(function () {
      setStatus(box, "已复制" + what);
    }, function () {
      if (el) {
        var details = el.closest("details");
        if (details) { details.open = true; }
        selectText(el);
      }
      setStatus(box, "无法自动复制，已选中" + what + "，请按 Ctrl+C 复制");
    });
  }

  var COPY_WHAT = { reference: "引文", text: "原文及出处" };

  function initCitationBoxes() {
    document.querySelectorAll("[data-cite-box]").forEach(function (box) {
      var select = box.querySelector("[data-cite-select]");
      if (select) {
        select.addEventListener("change", function () {
          box.querySelectorAll(".cite-style").forEach(function (block) {
            block.hidden = block.getAttribute("data-style") !== select.value;
          });
          setStatus(box, "");
        });
      }
      box.querySelectorAll("[data-copy]").forEach(function (button) {
        button.addEventListener("click", function () {
          var part = button.getAttribute("data-copy");
          var el = visibleStyle(box).querySelector(part === "text" ? "[data-cite-text]" : "[data-cite-reference]");
          copyWithStatus(box, el.textContent, el, COPY_WHAT[part] || "");
        });
      });
    });
  }

  function initBasketButtons() {
    document.querySelectorAll("[data-basket-add]").forEach(function (button) {
      var id = button.getAttribute("data-basket-add");
      var box = button.closest("[data-cite-box]");
      if (readBasket().indexOf(id) !== -1) {
        button.textContent = "已在引用篮中";
      }
      button.addEventListener("click", function () {
        var ids = readBasket();
        if (ids.indexOf(id) !== -1) {
          setStatus(box, "已在引用篮中");
          return;
        }
        if (ids.length >= BASKET_MAX) {
          setStatus(box, "引用篮已满（最多 " + BASKET_MAX + " 条）");
          return;
        }
        ids.push(id);
        writeBasket(ids);
        button.textContent = "已在引用篮中";
        setStatus(box, "已加入引用篮（共 " + ids.length + " 条）");
      });
    });
  }

  function initSlashShortcut() {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var target = event.target;
      var tag = target && target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) { return; }
      var box = document.querySelector("[data-search-box]");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    });
  }

  function initFacets() {
    // The filters are a sidebar on wide screens (always open) and a collapsed panel on phones.
    var wide = window.matchMedia("(min-width: 960px)");
    document.querySelectorAll("[data-facets]").forEach(function (details) {
      details.open = wide.matches;
    });
  }

  window.PolicyKB = {
    readBasket: readBasket, writeBasket: writeBasket, copyText: copyText, copyWithStatus: copyWithStatus, setStatus: setStatus
  };

  document.addEventListener("DOMContentLoaded", function () {
    updateCount();
    initSlashShortcut();
    initCitationBoxes();
    initBasketButtons();
    initFacets();
  });
})();
