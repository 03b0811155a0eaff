// ftpflow's HTML report: the session list and its filters, one diagram at a time for
// large captures, a step's words and JSON when it is clicked, the advice as callouts.
// Plain script, no library: the page must open from a file with no network.
(function () {
  "use strict";
  var PAGE = 200;
  var index = JSON.parse(document.getElementById("ftpflow-index").textContent);
  var sessions = index.sessions.slice().sort(function (a, b) { return a.id - b.id; });
  var ui = index.ui || {};
  // A word of the page in the report's language.
  function t(word) { return ui[word] || word; }
  var byId = {};
  sessions.forEach(function (s) { byId[s.id] = s; });
  var lazy = document.body.dataset.mode === "lazy";
  var viewer = document.getElementById("viewer");
  var details = document.getElementById("details");
  var stepsCache = {};
  var current = null;
  var shown = sessions;
  var page = 0;

  // The advice's problems, by the session they name.
  var problems = {};
  (index.advice || []).forEach(function (server) {
    (server.problems || []).forEach(function (p) {
      (problems[p.session] = problems[p.session] || []).push(p);
    });
  });

  function text(tag, content, cls) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = content;
    return el;
  }

  function bytes(n) {
    if (n < 1024) return n + " B";
    var units = ["kB", "MB", "GB", "TB"], v = n, u = -1;
    do { v /= 1000; u++; } while (v >= 1000 && u < units.length - 1);
    return v.toFixed(1) + " " + units[u];
  }

  // The steps' JSON records of a session's section (inline: its script; lazy: its chunk).
  function stepsOf(section) {
    var id = section.dataset.session;
    if (stepsCache[id]) return stepsCache[id];
    var script = section.querySelector("script.steps");
    var steps = script ? JSON.parse(script.textContent) : [];
    stepsCache[id] = steps;
    return steps;
  }

  function addAdvice(section) {
    var box = section.querySelector(".advice-callouts");
    var list = problems[section.dataset.session];
    if (!box || !list || box.childElementCount) return;
    list.forEach(function (p) {
      var div = document.createElement("div");
      div.className = "advice-callout";
      div.appendChild(text("b", t("Advice") + (p.transfer ? " (" + t("transfer") + " " + p.transfer + ")" : "") + ": "));
      div.appendChild(document.createTextNode(p.what + "\n" + t("Fix") + ": " + p.fix));
      box.appendChild(div);
    });
  }

  // A lazy session's text: base64 of raw deflate, inflated by the browser itself.
  function inflate(b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).text();
  }

  // Marks the shown section current, with its advice and its row.
  function mark(section, id, scroll) {
    section.classList.add("current");
    addAdvice(section);
    current = id;
    document.querySelectorAll("#session-list tr.current").forEach(function (r) { r.classList.remove("current"); });
    var row = document.querySelector('#session-list tr[data-session="' + id + '"]');
    if (row) row.classList.add("current");
    if (location.hash !== "#session-" + id) history.replaceState(null, "", "#session-" + id);
    if (scroll !== false) section.scrollIntoView({ block: "start" });
    return true;
  }

  var showing = 0;
  // Shows session `id`: inline, marks it (true, or false when there is none); lazy,
  // inflates and draws it in place of the one shown (a Promise of the same).
  function show(id, scroll) {
    id = Number(id);
    if (!lazy) {
      var section = document.getElementById("session-" + id);
      if (!section) return false;
      document.querySelectorAll("section.session.current").forEach(function (s) { s.classList.remove("current"); });
      return mark(section, id, scroll);
    }
    var chunk = document.querySelector('script.lazy-session[data-session="' + id + '"]');
    if (!chunk) return Promise.resolve(false);
    if (typeof DecompressionStream === "undefined") {
      viewer.textContent = "This browser cannot unpack the diagrams (it needs DecompressionStream: " +
        "Chrome 80, Firefox 113, Safari 16.4 or later).";
      return Promise.resolve(false);
    }
    var token = ++showing;
    return inflate(chunk.textContent).then(function (text) {
      if (token !== showing) return false; // a later choice won
      var cut = text.indexOf("\u0000");
      viewer.innerHTML = text.slice(0, cut);
      stepsCache = {};
      stepsCache[String(id)] = JSON.parse(text.slice(cut + 1));
      closeDetails();
      return mark(viewer.querySelector("section.session"), id, scroll);
    });
  }

  function matches(s, words, status) {
    if (status && s.status !== status) return false;
    if (!words.length) return true;
    var hay = [s.id, s.client, s.server, s.user || "", s.mode || "", s.status, s.commands].join(" ").toLowerCase();
    return words.every(function (w) { return hay.indexOf(w) >= 0; });
  }

  function applyFilter() {
    var words = document.getElementById("filter").value.toLowerCase().split(/\s+/).filter(Boolean);
    var status = document.getElementById("filter-status").value;
    shown = sessions.filter(function (s) { return matches(s, words, status); });
    page = 0;
    renderList();
  }

  function renderList() {
    var tbody = document.querySelector("#session-list tbody");
    tbody.textContent = "";
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    page = Math.min(page, pages - 1);
    shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (s) {
      var tr = document.createElement("tr");
      tr.dataset.session = s.id;
      if (s.id === current) tr.className = "current";
      var cells = [
        [String(s.id), "num"], [s.t == null ? "" : s.t.toFixed(3), "num"], [s.client], [s.server],
        [s.user || ""], [s.mode || ""], [String(s.transfers), "num"], [bytes(s.bytes), "num"],
        [String(s.steps), "num"], [s.findings ? String(s.findings) : "", "num"],
        [s.status === "ok" ? "" : t(s.status), s.status]
      ];
      cells.forEach(function (c) { tr.appendChild(text("td", c[0], c[1])); });
      tbody.appendChild(tr);
    });
    document.getElementById("session-count").textContent =
      shown.length + " / " + sessions.length + " " + t("sessions");
    var pager = document.getElementById("pager");
    pager.textContent = "";
    if (pages > 1) {
      var prev = text("button", "◀ " + t("previous"));
      prev.disabled = page === 0;
      prev.onclick = function () { page--; renderList(); };
      var next = text("button", t("next") + " ▶");
      next.disabled = page >= pages - 1;
      next.onclick = function () { page++; renderList(); };
      pager.appendChild(prev);
      pager.appendChild(text("span", t("page") + " " + (page + 1) + " / " + pages));
      pager.appendChild(next);
    }
  }

  function closeDetails() {
    details.hidden = true;
    document.querySelectorAll(".ladder .selected").forEach(function (g) { g.classList.remove("selected"); });
  }

  // A step's words (its tooltip) and its JSON record.
  function openDetails(g) {
    var section = g.closest("section.session");
    var steps = stepsOf(section);
    var record = steps[Number(g.dataset.i)];
    document.querySelectorAll(".ladder .selected").forEach(function (x) { x.classList.remove("selected"); });
    g.classList.add("selected");
    var words = details.querySelector(".words");
    words.textContent = "";
    var head = g.dataset.step
      ? t("Step") + " " + g.dataset.step + " · " + t("frame") + " " + g.dataset.frame + " · " + g.dataset.conn
      : t("Finding") + " · " + t("frame") + " " + g.dataset.frame;
    words.appendChild(text("b", head + "\n"));
    var title = g.querySelector("title");
    words.appendChild(document.createTextNode(title ? title.textContent : ""));
    details.querySelector("pre.step-json").textContent = JSON.stringify(record, null, 2);
    details.hidden = false;
  }

  // Moves the selection to the next or previous step of the same diagram.
  function moveSelection(delta) {
    var selected = document.querySelector(".ladder .selected");
    if (!selected) return;
    var all = Array.prototype.slice.call(selected.closest("svg").querySelectorAll("g.step, g.callout"));
    var next = all[all.indexOf(selected) + delta];
    if (next) { openDetails(next); next.scrollIntoView({ block: "nearest" }); }
  }

  document.addEventListener("click", function (e) {
    var g = e.target.closest && e.target.closest(".ladder g.step, .ladder g.callout");
    if (g) { openDetails(g); return; }
    var tr = e.target.closest && e.target.closest("#session-list tbody tr");
    if (tr) { show(tr.dataset.session); return; }
    if (e.target.id === "details-close") closeDetails();
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.tagName === "INPUT") return;
    if (e.key === "Escape") closeDetails();
    else if (e.key === "ArrowDown" || e.key === "j") { moveSelection(1); e.preventDefault(); }
    else if (e.key === "ArrowUp" || e.key === "k") { moveSelection(-1); e.preventDefault(); }
  });
  // Printed, the summaries and statistics are open (a closed <details> prints its title only).
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  document.getElementById("filter").addEventListener("input", applyFilter);
  document.getElementById("filter-status").addEventListener("change", applyFilter);

  if (sessions.length > 1) document.getElementById("nav").hidden = false;
  renderList();
  if (!lazy) {
    document.querySelectorAll("section.session").forEach(addAdvice);
  }
  var wanted = /^#session-(\d+)$/.exec(location.hash);
  if (wanted && byId[wanted[1]]) show(wanted[1]);
  else if (lazy && sessions.length) show(sessions[0].id, false);
  else if (!sessions.length) {
    document.getElementById("sessions").appendChild(text("p", t("No FTP session in this capture."), "empty"));
  }

  // show(N): true or false inline; a Promise of it on a lazy page (resolved once drawn).
  window.ftpflow = { show: function (id) { return show(id); }, sessions: sessions, index: index };
})();
