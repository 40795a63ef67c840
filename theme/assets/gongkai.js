/* gongkai theme script: progressive enhancement only, no library, no inline script.
 *  - appointment notices: status (未开始 / 公示中 / 已结束) from the browser's date
 *  - 信息公开目录: sorting by column and filters by category, year, topic, publisher
 *  - 站内搜索: Pagefind's UI from the site's own bundle (pagefind/)
 *  - print: open every <details> so that FAQ answers are printed; the absolute address
 *    of each content link in data-gk-href, printed after the link
 *  - reading controls (适老化): text size A− / A / A+ and high contrast, kept in
 *    localStorage (gongkai-prefs.js applies them in <head> before the first paint)
 * Works with mkdocs-material's instant navigation (document$) and without it. */
(function () {
  "use strict";

  /* ---------------------------------------------------------------- dates */

  function todayIn(timeZone) {
    var now = new Date();
    try {
      /* en-CA formats as YYYY-MM-DD */
      return new Intl.DateTimeFormat("en-CA", {
        timeZone: timeZone || "Asia/Shanghai",
        year: "numeric", month: "2-digit", day: "2-digit"
      }).format(now);
    } catch (e) {
      var m = now.getMonth() + 1, d = now.getDate();
      return now.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (d < 10 ? "0" : "") + d;
    }
  }

  function noticeStatus(start, end, today) {
    /* ISO dates compare as strings; the period includes start and end */
    if (today < start) { return "upcoming"; }
    if (today > end) { return "closed"; }
    return "open";
  }

  function updateNotices(root) {
    var nodes = root.querySelectorAll(".gk-notice-status[data-start][data-end]");
    Array.prototype.forEach.call(nodes, function (node) {
      var status = noticeStatus(node.getAttribute("data-start"), node.getAttribute("data-end"),
                                todayIn(node.getAttribute("data-tz")));
      var label = node.getAttribute("data-label-" + status);
      ["upcoming", "open", "closed"].forEach(function (s) {
        node.classList.toggle("gk-notice-status--" + s, s === status);
      });
      node.setAttribute("data-status", status);
      var value = node.querySelector(".gk-notice-status__value");
      if (value && label && value.textContent !== label) { value.textContent = label; }
    });
  }

  /* ------------------------------------------------------------ catalogue */

  var FILTERS = ["category", "year", "topic", "publisher"];

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  function initCatalogue(container) {
    if (container.getAttribute("data-gk-ready")) { return; }
    container.setAttribute("data-gk-ready", "1");
    var table = container.querySelector("table[data-gk-sortable]");
    if (!table || !table.tBodies.length) { return; }
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var form = container.querySelector("[data-gk-filters]");
    var count = container.querySelector("[data-gk-count]");
    var collator = (window.Intl && Intl.Collator) ? new Intl.Collator(document.documentElement.lang || "zh", { numeric: true }) : null;
    var compare = collator ? collator.compare : function (a, b) { return a < b ? -1 : a > b ? 1 : 0; };

    /* column index of the category label, to name the category options */
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var categoryColumn = headers.length - 1;

    /* filters: options from the rows' data attributes */
    var selects = {};
    if (form) {
      FILTERS.forEach(function (key) {
        var select = form.querySelector('[data-gk-filter="' + key + '"]');
        if (!select) { return; }
        selects[key] = select;
        var seen = {}, options = [];
        rows.forEach(function (row) {
          var value = row.getAttribute("data-" + key) || "";
          if (!value || seen[value]) { return; }
          seen[value] = true;
          options.push([value, key === "category" ? cellText(row, categoryColumn) : value]);
        });
        options.sort(function (a, b) {
          return key === "year" ? Number(b[0]) - Number(a[0]) : compare(a[1], b[1]);
        });
        var fragment = document.createDocumentFragment();
        options.forEach(function (o) {
          var option = document.createElement("option");
          option.value = o[0];
          option.textContent = o[1];
          fragment.appendChild(option);
        });
        select.appendChild(fragment);
        select.addEventListener("change", applyFilters);
      });
      form.addEventListener("reset", function () { window.setTimeout(applyFilters, 0); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      form.hidden = false;
    }

    function applyFilters() {
      var wanted = {};
      FILTERS.forEach(function (key) {
        if (selects[key] && selects[key].value) { wanted[key] = selects[key].value; }
      });
      var shown = 0;
      rows.forEach(function (row) {
        var ok = true;
        for (var key in wanted) {
          if (Object.prototype.hasOwnProperty.call(wanted, key) && row.getAttribute("data-" + key) !== wanted[key]) {
            ok = false;
            break;
          }
        }
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (count) {
        var template = count.getAttribute("data-template") || "{shown} / {total}";
        count.textContent = template.replace("{shown}", String(shown)).replace("{total}", String(rows.length));
      }
    }

    /* sorting: a button in every sortable column header */
    var sortLabel = table.getAttribute("data-sort-label") || "";
    headers.forEach(function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "gk-sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      if (sortLabel) { button.setAttribute("title", sortLabel); }
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) {
          if (other.hasAttribute("aria-sort")) { other.setAttribute("aria-sort", "none"); }
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var keyed = rows.map(function (row, position) {
          return { row: row, key: cellText(row, index), position: position };
        });
        keyed.sort(function (a, b) {
          var c = kind === "date" ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : compare(a.key, b.key);
          if (!ascending) { c = -c; }
          return c || a.position - b.position;
        });
        var fragment = document.createDocumentFragment();
        keyed.forEach(function (k) { fragment.appendChild(k.row); });
        tbody.appendChild(fragment);
        rows = keyed.map(function (k) { return k.row; });
      });
    });
  }

  /* ---------------------------------------------------------------- search */

  /* The search page holds <div id="gk-search" data-gk-search data-bundle="…/pagefind/"
     data-placeholder="…">; Pagefind's UI is loaded from the site's own bundle. A ?q=
     parameter in the page URL starts a search. */
  function initSearch(root) {
    var node = root.querySelector("[data-gk-search]");
    if (!node || node.getAttribute("data-gk-ready")) { return; }
    node.setAttribute("data-gk-ready", "1");
    if (!node.id) { node.id = "gk-search"; }
    /* Root-relative paths: Pagefind hands them to its worker, which would resolve a
       relative path against its own URL. */
    var bundles = (node.getAttribute("data-bundles") || node.getAttribute("data-bundle") || "/pagefind/").split(/\s+/).filter(Boolean).map(function (path) {
      return new URL(path, window.location.href).pathname;
    });
    var bundle = bundles[0];
    if (bundle.charAt(bundle.length - 1) !== "/") { bundle += "/"; }
    var loading = node.getAttribute("data-loading");
    if (loading) { node.textContent = loading; }

    function fail() {
      node.textContent = node.getAttribute("data-failed") || "";
      node.classList.add("gk-search--failed");
    }

    function start() {
      if (typeof window.PagefindUI !== "function") { fail(); return; }
      node.textContent = "";
      var options = {
        element: "#" + node.id,
        bundlePath: bundle,
        mergeIndex: bundles.slice(1).map(function (path) { return { bundlePath: path }; }),
        showSubResults: false,
        showImages: false,
        resetStyles: true
      };
      var placeholder = node.getAttribute("data-placeholder");
      if (placeholder) { options.translations = { placeholder: placeholder }; }
      var params = null;
      try { params = new URLSearchParams(window.location.search); } catch (e) { params = null; }
      var query = params ? params.get("q") : null;
      /* ?sort=date orders results by publication date, newest first (the sort form). */
      var byDate = !!params && params.get("sort") === "date";
      if (byDate) { options.sort = { date: "desc" }; }
      var ui = new window.PagefindUI(options);
      var sortForm = root.querySelector("[data-gk-sort]");
      if (sortForm) {
        var select = sortForm.querySelector("select");
        if (select && byDate) { select.value = "date"; }
        sortForm.addEventListener("submit", function () {
          var box = node.querySelector("input");
          sortForm.querySelector('input[name="q"]').value = box ? box.value : (query || "");
        });
        if (select) { select.addEventListener("change", function () { sortForm.requestSubmit ? sortForm.requestSubmit() : sortForm.submit(); }); }
      }
      if (query && ui && typeof ui.triggerSearch === "function") { ui.triggerSearch(query); }
      if (query) { lookupIndex(root, query); }
      var input = node.querySelector("input");
      if (input) {
        var timer = null;
        input.addEventListener("input", function () {
          clearTimeout(timer);
          timer = setTimeout(function () { lookupIndex(root, input.value); }, 250);
        });
      }
    }

    if (!document.querySelector('link[data-gk-pagefind]')) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = bundle + "pagefind-ui.css";
      css.setAttribute("data-gk-pagefind", "");
      document.head.appendChild(css);
    }
    if (typeof window.PagefindUI === "function") { start(); return; }
    var script = document.createElement("script");
    script.src = bundle + "pagefind-ui.js";
    script.onload = start;
    script.onerror = fail;
    document.head.appendChild(script);
  }

  /* An index number typed in full (11330100002482066D/2024-00012) or as its 后段码
     (2024-00012) is looked up through its permanent link /i/<number>/ and shown
     first, above Pagefind's results. */
  function lookupIndex(root, text) {
    var box = root.querySelector("[data-gk-index-lookup]");
    if (!box) { return; }
    var query = (text || "").trim().replace(/\s+/g, "");
    box.textContent = "";
    var number = null;
    if (/^[0-9A-Za-z._-]+\/[0-9A-Za-z._-]+$/.test(query)) { number = query; }
    else if (/^\d{4}(\d{2})?-\d{3,}$/.test(query) && box.getAttribute("data-org")) {
      number = box.getAttribute("data-org") + "/" + query;
    }
    if (!number || !window.fetch) { return; }
    var url = new URL((box.getAttribute("data-root") || "") + "i/" + number + "/", window.location.href);
    fetch(url.href).then(function (response) {
      if (!response.ok) { return null; }
      return response.text();
    }).then(function (html) {
      if (!html) { return; }
      var doc = new DOMParser().parseFromString(html, "text/html");
      var link = doc.querySelector("body a[href]");
      if (!link) { return; }
      var hit = document.createElement("p");
      hit.className = "gk-search-hit gk-search-hit--index";
      hit.appendChild(document.createTextNode(box.getAttribute("data-label") || ""));
      var a = document.createElement("a");
      a.href = new URL(link.getAttribute("href"), url).href;
      a.textContent = link.textContent;
      hit.appendChild(a);
      var code = document.createElement("span");
      code.className = "gk-file-meta";
      code.textContent = "（" + number + "）";
      hit.appendChild(code);
      box.textContent = "";
      box.appendChild(hit);
    }).catch(function () {});
  }

  /* ----------------------------------------------------------------- print */

  var printHooked = false;
  function hookPrint() {
    if (printHooked) { return; }
    printHooked = true;
    window.addEventListener("beforeprint", function () {
      Array.prototype.forEach.call(document.querySelectorAll(".md-content details:not([open])"), function (d) {
        d.setAttribute("open", "");
        d.setAttribute("data-gk-print-opened", "");
      });
    });
    window.addEventListener("afterprint", function () {
      Array.prototype.forEach.call(document.querySelectorAll("details[data-gk-print-opened]"), function (d) {
        d.removeAttribute("open");
        d.removeAttribute("data-gk-print-opened");
      });
    });
  }

  /* The absolute address of every content link, printed after it (gongkai.css); none
     where the text already is the address. */
  function markPrintLinks(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".md-content a[href]"), function (a) {
      var href = a.getAttribute("href") || "";
      if (/^(#|mailto:|tel:|javascript:)/i.test(href) || a.hasAttribute("data-gk-href")) { return; }
      var text = (a.textContent || "").replace(/\s+/g, "");
      var url = a.href;
      var bare = url.replace(/^[a-z]+:\/\//i, "").replace(/\/$/, "");
      a.setAttribute("data-gk-href", text === url || text === href || text === bare ? "" : url);
    });
  }

  /* ------------------------------------------------ reading controls (适老化) */

  var FONT_KEY = "gk-font-size", CONTRAST_KEY = "gk-contrast", FONT_MIN = -1, FONT_MAX = 3;

  function store(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
    } catch (e) { /* storage blocked: the choice lasts for this page only */ }
  }

  function fontLevel() {
    var level = parseInt(document.documentElement.getAttribute("data-gk-font") || "0", 10);
    return isNaN(level) ? 0 : Math.max(FONT_MIN, Math.min(FONT_MAX, level));
  }

  function applyFont(level) {
    var html = document.documentElement;
    if (level) { html.setAttribute("data-gk-font", String(level)); } else { html.removeAttribute("data-gk-font"); }
  }

  function applyContrast(high) {
    var html = document.documentElement;
    if (high) { html.setAttribute("data-gk-contrast", "high"); } else { html.removeAttribute("data-gk-contrast"); }
  }

  function syncDisplay(box) {
    var level = fontLevel();
    Array.prototype.forEach.call(box.querySelectorAll("[data-gk-font-step]"), function (button) {
      var step = Number(button.getAttribute("data-gk-font-step"));
      var off = step < 0 ? level <= FONT_MIN : step > 0 ? level >= FONT_MAX : level === 0;
      button.setAttribute("aria-disabled", off ? "true" : "false");
    });
    var contrast = box.querySelector("[data-gk-contrast-toggle]");
    if (contrast) {
      contrast.setAttribute("aria-pressed", document.documentElement.getAttribute("data-gk-contrast") === "high" ? "true" : "false");
    }
  }

  function initDisplay(root) {
    var box = root.querySelector("[data-gk-display]");
    if (!box || box.getAttribute("data-gk-ready")) { return; }
    box.setAttribute("data-gk-ready", "1");
    var toggle = box.querySelector(".gk-display__toggle");

    function open(yes) {
      box.classList.toggle("gk-display--open", yes);
      if (toggle) { toggle.setAttribute("aria-expanded", yes ? "true" : "false"); }
    }

    box.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button") : null;
      if (!button || !box.contains(button)) { return; }
      if (button === toggle) { open(!box.classList.contains("gk-display--open")); return; }
      if (button.getAttribute("aria-disabled") === "true") { return; }
      if (button.hasAttribute("data-gk-font-step")) {
        var step = Number(button.getAttribute("data-gk-font-step"));
        var level = step ? Math.max(FONT_MIN, Math.min(FONT_MAX, fontLevel() + step)) : 0;
        applyFont(level);
        store(FONT_KEY, level ? String(level) : null);
      } else if (button.hasAttribute("data-gk-contrast-toggle")) {
        var high = document.documentElement.getAttribute("data-gk-contrast") !== "high";
        applyContrast(high);
        store(CONTRAST_KEY, high ? "high" : null);
      }
      syncDisplay(box);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && box.classList.contains("gk-display--open")) {
        open(false);
        if (toggle) { toggle.focus(); }
      }
    });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) { open(false); }
    });
    /* a choice made in another tab of the site */
    window.addEventListener("storage", function (event) {
      if (event.key === FONT_KEY) { applyFont(Number(event.newValue) || 0); }
      if (event.key === CONTRAST_KEY) { applyContrast(event.newValue === "high"); }
      syncDisplay(box);
    });
    syncDisplay(box);
    box.hidden = false;
  }

  /* ---------------------------------------------------------- navigation */

  /* Below 76.25em Material's navigation is a drawer off the screen, opened by a label
     that the keyboard cannot reach. Tabbing into the navigation opens the drawer, so
     that the focused link is seen; tabbing out of it closes it again. */
  function initDrawer() {
    var drawer = document.querySelector("#__drawer");
    var sidebar = document.querySelector(".md-sidebar--primary");
    if (!drawer || !sidebar || sidebar.getAttribute("data-gk-ready") || !window.matchMedia) { return; }
    sidebar.setAttribute("data-gk-ready", "1");
    var narrow = window.matchMedia("(max-width: 76.2344em)");
    var opened = false;
    sidebar.addEventListener("focusin", function () {
      if (narrow.matches && !drawer.checked) { drawer.checked = true; opened = true; }
    });
    sidebar.addEventListener("focusout", function (event) {
      if (opened && !(event.relatedTarget && sidebar.contains(event.relatedTarget))) {
        drawer.checked = false;
        opened = false;
      }
    });
  }

  /* ------------------------------------------------------------------ init */

  function init() {
    updateNotices(document);
    Array.prototype.forEach.call(document.querySelectorAll("[data-gk-catalogue]"), initCatalogue);
    initSearch(document);
    initDisplay(document);
    initDrawer();
    markPrintLinks(document);
    hookPrint();
  }

  /* exposed for tests */
  window.gongkai = { noticeStatus: noticeStatus, todayIn: todayIn, init: init };

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
