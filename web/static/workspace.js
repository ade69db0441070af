// The staff workspace: confirm removals, follow a running build, reload once the new index is live.
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  var box = document.querySelector("[data-build-status]");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var busy = box.getAttribute("data-busy") === "true";
  var pending = parseInt(box.getAttribute("data-pending") || "0", 10);
  if (!busy && !pending) return;

  var stateEl = box.querySelector("[data-build-state]");
  var phaseEl = box.querySelector("[data-build-phase]");
  var bar = box.querySelector("[data-build-progress]");
  var polls = 0;

  function show(build) {
    stateEl.textContent = build.state_label;
    stateEl.className = "ws-state ws-state-" + build.state;
    var running = build.state === "running";
    phaseEl.textContent = running ? build.phase_label + (build.total ? " " + build.done + "/" + build.total : "") : "";
    bar.hidden = !running;
    bar.max = build.total || 1;
    bar.value = build.done || 0;
  }

  function poll() {
    polls += 1;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        show(data.build);
        // Reload when the build is over and something that was pending went live (or nothing is left to wait for).
        if (!data.build.busy && (data.pending < pending || data.pending === 0)) {
          window.location.reload();
          return;
        }
        if (polls < 1200) window.setTimeout(poll, 1500);
      })
      .catch(function () { if (polls < 1200) window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
