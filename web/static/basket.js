/* PolicyKB report basket page: list the saved items in order, copy their citations, reorder, remove, export. */
(function () {
  "use strict";

  var cache = {};  // id -> item JSON from /api/items
  var missing = {};  // id -> true when the index no longer has it

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function button(label, title, onClick, disabled) {
    var b = el("button", "button small-button", label);
    b.type = "button";
    b.title = title;
    b.setAttribute("aria-label", title);
    b.disabled = !!disabled;
    b.addEventListener("click", onClick);
    return b;
  }

  function move(ids, index, delta) {
    var other = index + delta;
    if (other < 0 || other >= ids.length) { return ids; }
    var copy = ids.slice();
    var tmp = copy[index];
    copy[index] = copy[other];
    copy[other] = tmp;
    return copy;
  }

  function selectedStyle(root) {
    var select = root.querySelector("[data-basket-style]");
    return select ? select.value : "official";
  }

  function citationOf(item, style) {
    return (item.citations && (item.citations[style] || item.citations.official)) ||
      { reference: item.citation, text: item.quote + "\n" + item.citation };
  }

  function render(focus) {
    var root = document.querySelector("[data-basket-page]");
    var list = root.querySelector("[data-basket-list]");
    var ids = window.PolicyKB.readBasket();
    var style = selectedStyle(root);
    list.textContent = "";
    root.querySelector("[data-basket-empty]").hidden = ids.length > 0;
    root.querySelector("[data-basket-actions]").hidden = ids.length === 0;
    var exportable = ids.filter(function (id) { return !missing[id]; });
    root.querySelector("[data-export-ids]").value = exportable.join(",");
    root.querySelector("[data-export-submit]").disabled = exportable.length === 0;

    ids.forEach(function (id, index) {
      var item = cache[id];
      var li = el("li", "basket-item");
      var head = el("div", "basket-item-head");
      var actions = el("div", "basket-item-actions");
      var status = el("span", "status", "");
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      status.setAttribute("data-status", "");
      if (item) {
        var cited = citationOf(item, style);
        head.appendChild(el("span", "badge badge-" + item.type, item.type_label));
        var link = el("a", "basket-title", item.headline || item.title);
        link.href = item.url;
        head.appendChild(link);
        li.appendChild(head);
        li.appendChild(el("div", "small muted", "《" + item.doc_title + "》" + (item.place ? " " + item.place : "")));
        li.appendChild(el("blockquote", "verbatim small", item.quote));
        var reference = el("p", "cite-reference", cited.reference);
        reference.setAttribute("data-cite-reference", "");
        li.appendChild(reference);
        var full = el("pre", "cite-text offscreen", cited.text);
        full.setAttribute("data-cite-text", "");
        li.appendChild(full);
        var copyReference = button("复制引文", "复制第 " + (index + 1) + " 条的引文", function () {
          window.PolicyKB.copyWithStatus(li, cited.reference, reference, "引文");
        });
        var copyText = button("复制原文及出处", "复制第 " + (index + 1) + " 条的原文及出处", function () {
          window.PolicyKB.copyWithStatus(li, cited.text, full, "原文及出处");
        });
        copyReference.setAttribute("data-copy", "reference");
        copyText.setAttribute("data-copy", "text");
        actions.appendChild(copyReference);
        actions.appendChild(copyText);
      } else {
        head.appendChild(el("span", "basket-title muted", missing[id] ? id + "（知识库中已不存在）" : id));
        li.appendChild(head);
      }
      var up = button("上移", "上移第 " + (index + 1) + " 条", function () {
        window.PolicyKB.writeBasket(move(window.PolicyKB.readBasket(), index, -1));
        render({ id: id, action: "up" });
      }, index === 0);
      var down = button("下移", "下移第 " + (index + 1) + " 条", function () {
        window.PolicyKB.writeBasket(move(window.PolicyKB.readBasket(), index, 1));
        render({ id: id, action: "down" });
      }, index === ids.length - 1);
      var remove = button("移除", "移除第 " + (index + 1) + " 条", function () {
        window.PolicyKB.writeBasket(window.PolicyKB.readBasket().filter(function (x) { return x !== id; }));
        render(null);
      });
      up.setAttribute("data-action", "up");
      down.setAttribute("data-action", "down");
      remove.setAttribute("data-action", "remove");
      actions.appendChild(up);
      actions.appendChild(down);
      actions.appendChild(remove);
      li.appendChild(actions);
      li.appendChild(status);
      li.setAttribute("data-id", id);
      list.appendChild(li);
      if (focus && focus.id === id) {
        var target = li.querySelector("[data-action='" + focus.action + "']");
        if (target && target.disabled) { target = li.querySelector("[data-action='remove']"); }
        if (target) { target.focus(); }
      }
    });
  }

  function load() {
    var root = document.querySelector("[data-basket-page]");
    if (!root) { return; }
    root.querySelector("[data-basket-clear]").addEventListener("click", function () {
      window.PolicyKB.writeBasket([]);
      render(null);
    });
    var style = root.querySelector("[data-basket-style]");
    if (style) { style.addEventListener("change", function () { render(null); }); }
    var ids = window.PolicyKB.readBasket();
    if (ids.length === 0) { render(null); return; }
    var params = new URLSearchParams({ ids: ids.join(",") });
    fetch("/api/items?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (!result.ok) { throw new Error(result.body.message || "加载失败"); }
        result.body.items.forEach(function (item) { cache[item.id] = item; });
        result.body.missing.forEach(function (id) { missing[id] = true; });
        render(null);
      })
      .catch(function (error) {
        var box = root.querySelector("[data-basket-error]");
        box.textContent = "无法加载引用篮：" + error.message;
        box.hidden = false;
        render(null);
      });
  }

  document.addEventListener("DOMContentLoaded", load);
})();
