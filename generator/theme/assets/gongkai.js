/* gongkai theme script: progressive enhancement only, no library, no inline script.
 *  - time windows (公示期, 征求意见期 …, any type with a window): status (未开始 / 公示中 /
 *    已结束, 剩 N 天, 已反馈 from a report's date) from the browser's date, read from the
 *    data attributes of macros.html's window_status
 *  - 信息公开目录: sorting by column and filters by category, year, topic, publisher
 *  - 站内搜索: our search UI over Pagefind's JS API (the site's own bundles, pagefind/…)
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
      /* a window's report (征求意见), from its date on: 已反馈 */
      var reported = node.getAttribute("data-reported");
      if (reported && todayIn(node.getAttribute("data-tz")) >= reported) { status = "reported"; }
      var label = node.getAttribute("data-label-" + status);
      /* 征求意见中（剩 {n} 天）: days left, today included */
      if (label && label.indexOf("{n}") >= 0) {
        var today = todayIn(node.getAttribute("data-tz"));
        var left = Math.round((Date.parse(node.getAttribute("data-end")) - Date.parse(today)) / 86400000) + 1;
        label = label.replace("{n}", String(left));
      }
      ["upcoming", "open", "closed", "reported"].forEach(function (s) {
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

  /* The search page (pages/search.html) holds <div data-gk-search data-bundles="…"
     data-delta="…" data-stale="…" hidden> with a search form, the sort form, a filter
     panel (<details>), a status line and the result list; gongkai.js shows it and runs
     the searches through Pagefind's JS API, imported from the site's own bundles on the
     first search (or when the filter panel is opened):
     - one Pagefind runtime (one pagefind.js, one WebAssembly) for every bundle: the
       first base bundle (shards by publication year, newest first) is imported, the
       other shards and the delta bundle (a small index of the current versions of
       recently changed pages) are merged into it with mergeIndex, each loading only its
       own metadata and, for a query, its own index chunks and fragments;
     - base results whose id is in data-stale (older versions, removed pages) are hidden.
     Filters are loaded only when the filter panel is opened: each filter of each shard
     is a file of its own. A ?q= in the page URL starts a search; ?sort=date orders the
     results by publication date, newest first (the sort form reloads the page). */

  var SEARCH_PAGE = 10;      /* results shown at a time */
  var SEARCH_DELAY = 250;    /* ms after the last key before searching */
  var SCORE_BAND = 1048576;  /* 2^20, more than the pages of any one shard */
  var searchEngines = {};    /* Pagefind instances by configuration, kept for the page */

  /* Root-relative bundle paths ending in "/": Pagefind derives the results' URLs from
     them, and its worker (if used) would resolve a relative path against its own URL. */
  function bundlePaths(text) {
    return (text || "").split(/\s+/).filter(Boolean).map(function (path) {
      var root = new URL(path, window.location.href).pathname;
      return root.charAt(root.length - 1) === "/" ? root : root + "/";
    });
  }

  /* import() lives in assets/gongkai-import.js, loaded on the first search: a browser
     that cannot parse it would otherwise reject this whole file. */
  var importerLoad = null;
  function importer() {
    if (typeof window.gongkaiImport === "function") { return Promise.resolve(window.gongkaiImport); }
    if (!importerLoad) {
      importerLoad = new Promise(function (resolve, reject) {
        var self = document.querySelector('script[src$="gongkai.js"]');
        var script = document.createElement("script");
        script.src = self ? self.src.replace(/gongkai\.js$/, "gongkai-import.js") : "/assets/gongkai-import.js";
        script.onload = function () {
          if (typeof window.gongkaiImport === "function") { resolve(window.gongkaiImport); } else { reject(new Error("no dynamic import in this browser")); }
        };
        script.onerror = function () { reject(new Error("gongkai-import.js not loaded")); };
        document.head.appendChild(script);
      });
      importerLoad.then(null, function () { importerLoad = null; });  /* tried again on the next search */
    }
    return importerLoad;
  }

  function importPagefind(path) {
    return importer().then(function (load) { return load(path + "pagefind.js"); });
  }

  /* {pf, bands}, loaded once per configuration: one Pagefind instance, the bundles after
     the first and the delta merged into it (mergeIndex shares the runtime and its
     WebAssembly; importing a bundle's own pagefind.js would load both again). Pagefind
     runs in the page (noWorker): its web worker would be a second copy of its script to
     download (42 KB), and a search of our indexes takes milliseconds.
     Sorted by date, Pagefind gives each result its position inside its own bundle as
     score and merges the bundles by score, which mixes them up; each bundle is
     therefore given its own band of scores (indexWeight SCORE_BAND^k: the base shards
     k = n-1 … 0, the delta k = n), and dateRuns() takes the merged list apart into one
     date-ordered run per bundle again. */
  function searchEngine(bundles, delta, byDate) {
    var key = bundles.join(" ") + "|" + delta + "|" + (byDate ? "date" : "score");
    if (searchEngines[key]) { return searchEngines[key]; }
    var merged = bundles.slice(1).concat(delta ? [delta] : []);
    var bands = bundles.length + (delta ? 1 : 0);
    function weight(index) {
      if (!byDate) { return 1; }
      return Math.pow(SCORE_BAND, index < bundles.length ? bundles.length - 1 - index : bundles.length);
    }
    var engine = importPagefind(bundles[0]).then(function (pf) {
      return Promise.resolve(pf.options({ noWorker: true, indexWeight: weight(0) })).then(function () {
        return Promise.all(merged.map(function (path, index) {
          return pf.mergeIndex(path, { indexWeight: weight(index + 1) });
        }));
      }).then(function () { return { pf: pf, bands: bands }; });
    });
    searchEngines[key] = engine;
    engine.then(null, function () { delete searchEngines[key]; });  /* tried again on the next search */
    return engine;
  }

  /* A result's data (url, excerpt, meta), loaded once. */
  function resultData(result) {
    if (!result.gkData) { result.gkData = Promise.resolve(result.data()); }
    return result.gkData;
  }

  /* The merged results, sorted by date, as one run per bundle (see searchEngine): a
     score in [SCORE_BAND^k, SCORE_BAND^(k+1)) belongs to the bundle of weight
     SCORE_BAND^k. A score of 0 (the oldest page of its bundle) could be any bundle's:
     it is a run of its own. */
  function dateRuns(results, bands) {
    var runs = [], single = [];
    results.forEach(function (result) {
      if (!(result.score > 0)) { single.push([result]); return; }
      var band = 0, limit = SCORE_BAND;
      while (band < bands - 1 && result.score >= limit) { band += 1; limit *= SCORE_BAND; }
      (runs[band] = runs[band] || []).push(result);
    });
    return runs.filter(Boolean).concat(single);
  }

  /* next(n) → a promise of the data of the next n results, in the order given (by
     relevance: Pagefind merges the bundles by score). */
  function scoreStream(all) {
    var at = 0;
    return function (n) {
      var page = all.slice(at, at + n);
      at += page.length;
      return Promise.all(page.map(resultData));
    };
  }

  /* By date: runs each sorted newest first (the shards of the base, the delta), merged
     lazily on the date meta; the data of each run's head is loaded to compare them. */
  function dateStream(lists, dateKey) {
    var runs = lists.filter(function (list) { return list.length; }).map(function (list) { return { list: list, at: 0 }; });
    function dateOf(data) { return (data && data.meta && data.meta[dateKey]) || ""; }
    function step(n, out) {
      var live = runs.filter(function (run) { return run.at < run.list.length; });
      if (out.length >= n || !live.length) { return Promise.resolve(out); }
      if (live.length === 1) {
        var only = live[0], rest = only.list.slice(only.at, only.at + n - out.length);
        only.at += rest.length;
        return Promise.all(rest.map(resultData)).then(function (data) { return out.concat(data); });
      }
      return Promise.all(live.map(function (run) { return resultData(run.list[run.at]); })).then(function (heads) {
        var best = 0, i;
        for (i = 1; i < heads.length; i += 1) {
          if (dateOf(heads[i]) > dateOf(heads[best])) { best = i; }
        }
        var others = "";
        for (i = 0; i < heads.length; i += 1) {
          if (i !== best && dateOf(heads[i]) > others) { others = dateOf(heads[i]); }
        }
        /* take from the newest run as long as it stays ahead of the other heads */
        var run = live[best], batch = run.list.slice(run.at, run.at + n - out.length);
        return Promise.all(batch.map(resultData)).then(function (data) {
          for (var j = 0; j < data.length; j += 1) {
            if (j > 0 && dateOf(data[j]) < others) { break; }
            out.push(data[j]);
            run.at += 1;
          }
          return step(n, out);
        });
      });
    }
    return function (n) { return step(n, []); };
  }

  /* The results to show: those whose id is in data-stale hidden. A page whose source
     changed but not what Pagefind keeps of it (text, meta, filters) has the same id in
     its shard (stale) and in the delta: found twice, it is shown once. */
  function liveResults(results, stale) {
    var count = {}, shown = {};
    results.forEach(function (r) { if (stale[r.id]) { count[r.id] = (count[r.id] || 0) + 1; } });
    return results.filter(function (r) {
      if (!stale[r.id]) { return true; }
      if (count[r.id] < 2 || shown[r.id]) { return false; }
      shown[r.id] = true;
      return true;
    });
  }

  /* Searches every bundle at once: {total, next} (next as in scoreStream). */
  function runSearch(engine, term, options, stale, byDate, dateKey) {
    return engine.pf.search(term, options).then(function (found) {
      var results = liveResults((found && found.results) || [], stale);
      return {
        total: results.length,
        next: byDate ? dateStream(dateRuns(results, engine.bands), dateKey) : scoreStream(results)
      };
    });
  }

  function fillIn(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function pageParams() {
    try { return new URLSearchParams(window.location.search); } catch (e) { return null; }
  }

  /* Pagefind's excerpt is HTML: the page's text (escaped) with <mark> around the words
     found. It is parsed apart from the page, and only its text and its <mark> elements
     are copied: never any other markup. */
  function copyExcerpt(html, into) {
    var body = new DOMParser().parseFromString(html, "text/html").body;
    Array.prototype.forEach.call(body ? body.childNodes : [], function (child) {
      if (child.nodeType === 1 && child.tagName === "MARK") {
        into.appendChild(element("mark", "", child.textContent));
      } else if (child.nodeType === 1 || child.nodeType === 3) {
        into.appendChild(document.createTextNode(child.textContent));
      }
    });
  }

  /* The item's URL of a result: Pagefind indexed its source page `…/a.html`, the item
     is `…/a/` (search.py source_file). */
  function itemUrl(url) {
    return String(url || "").replace(/\.html(?=[?#]|$)/, "/");
  }

  /* One result: the title linked, the excerpt, a line of 索引号 · 发布日期 · 类别. */
  function renderResult(data, keys) {
    var meta = data.meta || {};
    var item = element("li", "gk-search-result");
    var title = element("h2", "gk-search-result__title");
    var link = element("a", "gk-search-result__link", meta.title || itemUrl(data.url));
    link.href = itemUrl(data.url);
    title.appendChild(link);
    item.appendChild(title);
    if (data.excerpt) {
      var excerpt = element("p", "gk-search-result__excerpt");
      copyExcerpt(data.excerpt, excerpt);
      item.appendChild(excerpt);
    }
    var line = element("p", "gk-search-result__meta");
    [["index", "gk-search-result__index"], ["date", "gk-search-result__date"], ["category", "gk-search-result__category"]].forEach(function (field) {
      var value = keys[field[0]] ? meta[keys[field[0]]] : "";
      if (!value) { return; }
      if (line.firstChild) { line.appendChild(element("span", "gk-search-result__sep", " · ")).setAttribute("aria-hidden", "true"); }
      var part = element(field[0] === "date" ? "time" : "span", field[1]);
      if (field[0] === "date") { part.setAttribute("datetime", value); }
      part.appendChild(element("span", "gk-sr-only", keys[field[0]] + " "));
      part.appendChild(document.createTextNode(value));
      line.appendChild(part);
    });
    if (line.firstChild) { item.appendChild(line); }
    return item;
  }

  function initSearch(root) {
    var node = root.querySelector("[data-gk-search]");
    if (!node || node.getAttribute("data-gk-ready")) { return; }
    var form = node.querySelector("[data-gk-search-form]");
    var input = node.querySelector(".gk-search-input");
    var status = node.querySelector("[data-gk-search-status]");
    var list = node.querySelector("[data-gk-search-results]");
    var more = node.querySelector("[data-gk-search-more]");
    var panel = node.querySelector("[data-gk-search-filters]");
    var panelBody = node.querySelector("[data-gk-search-filter-body]");
    var clear = node.querySelector("[data-gk-search-clear]");
    var sortForm = root.querySelector("[data-gk-sort]");
    if (!form || !input || !status || !list) { return; }
    node.setAttribute("data-gk-ready", "1");

    function text(name) { return node.getAttribute("data-" + name) || ""; }
    var bundles = bundlePaths(text("bundles") || text("bundle") || "/pagefind/");
    var delta = bundlePaths(text("delta"))[0] || "";
    var stale = {};
    text("stale").split(/\s+/).forEach(function (id) { if (id) { stale[id] = true; } });
    var keys = { index: text("key-index"), date: text("key-date"), category: text("key-category") };
    var params = pageParams();
    var byDate = !!params && params.get("sort") === "date";
    var state = { id: 0, key: null, next: null, total: 0, shown: 0, busy: false, ready: false };
    var timer = null;

    function engine() {
      return searchEngine(bundles, delta, byDate).then(function (found) { state.ready = true; return found; });
    }

    function say(message, failed) {
      if (status.textContent !== message) { status.textContent = message; }
      node.classList.toggle("gk-search--failed", !!failed);
    }

    function chosenFilters() {
      var chosen = {};
      if (!panelBody) { return chosen; }
      Array.prototype.forEach.call(panelBody.querySelectorAll("input[type=checkbox]:checked"), function (box) {
        var name = box.getAttribute("data-gk-filter");
        (chosen[name] = chosen[name] || []).push(box.value);
      });
      return chosen;
    }

    /* the query in the address (?q=), so that the results can be shared */
    function remember(term) {
      if (!window.history || !window.history.replaceState) { return; }
      try {
        var url = new URL(window.location.href);
        if (term) { url.searchParams.set("q", term); } else { url.searchParams.delete("q"); }
        if (url.href !== window.location.href) { window.history.replaceState(window.history.state, "", url.href); }
      } catch (e) { /* an address we cannot rewrite: the search still runs */ }
    }

    function announce() {
      var template = state.shown > SEARCH_PAGE ? text("found-shown") : text("found");
      say(fillIn(template, { n: state.total, shown: state.shown }));
    }

    /* shows the next SEARCH_PAGE results; replace: instead of those shown */
    function showNext(id, replace, focus) {
      state.busy = true;
      more.setAttribute("aria-disabled", "true");
      return state.next(SEARCH_PAGE).then(function (data) {
        if (id !== state.id) { return; }
        if (replace) { list.textContent = ""; state.shown = 0; }
        var first = null;
        data.forEach(function (d) {
          var item = renderResult(d, keys);
          list.appendChild(item);
          if (!first) { first = item; }
        });
        state.shown += data.length;
        more.hidden = !data.length || state.shown >= state.total;
        announce();
        if (focus && first) { first.querySelector("a").focus(); }
      }).then(function () {
        state.busy = false;
        more.removeAttribute("aria-disabled");
      }, function (error) {
        state.busy = false;
        more.removeAttribute("aria-disabled");
        throw error;
      });
    }

    function search(force) {
      clearTimeout(timer);
      var term = input.value.trim();
      var chosen = chosenFilters();
      var filters = {}, any = false;
      Object.keys(chosen).forEach(function (name) {
        /* several values of one filter: any of them (a plain list means all of them) */
        filters[name] = { any: chosen[name] };
        any = true;
      });
      var key = term + "\u0000" + JSON.stringify(filters);
      if (!force && key === state.key) { return; }
      state.key = key;
      var id = ++state.id;
      remember(term);
      lookupIndex(root, term);
      if (!term && !any) {
        list.textContent = "";
        more.hidden = true;
        state.next = null;
        state.total = state.shown = 0;
        say("");
        return;
      }
      say(text(state.ready ? "searching" : "loading"));
      engine().then(function (found) {
        if (id !== state.id) { return null; }
        var options = { filters: filters };
        if (byDate) { options.sort = { date: "desc" }; }
        return runSearch(found, term || null, options, stale, byDate, keys.date);
      }).then(function (found) {
        if (!found || id !== state.id) { return null; }
        state.next = found.next;
        state.total = found.total;
        if (!found.total) {
          list.textContent = "";
          more.hidden = true;
          state.shown = 0;
          say(term ? fillIn(text("none"), { q: term }) : text("none-filtered"));
          return null;
        }
        return showNext(id, true, false);
      }).then(null, function () {
        if (id === state.id) {
          list.textContent = "";
          more.hidden = true;
          say(text("failed"), true);
        }
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      search(false);
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(false); }, SEARCH_DELAY);
    });
    if (more) {
      more.addEventListener("click", function () {
        if (state.busy || !state.next) { return; }
        var id = state.id;
        showNext(id, false, true).then(null, function () {
          if (id === state.id) { say(text("failed"), true); }
        });
      });
    }

    /* filters: loaded when the panel is first opened */
    var filtersLoaded = false;
    function renderFilters(counts) {
      var order = text("filter-order").split("|");
      var collator = (window.Intl && Intl.Collator) ? new Intl.Collator(document.documentElement.lang || "zh", { numeric: true }) : null;
      var compare = collator ? collator.compare : function (a, b) { return a < b ? -1 : a > b ? 1 : 0; };
      function rank(name) { var i = order.indexOf(name); return i < 0 ? order.length : i; }
      var names = Object.keys(counts).sort(function (a, b) { return (rank(a) - rank(b)) || compare(a, b); });
      var fragment = document.createDocumentFragment();
      names.forEach(function (name) {
        var values = Object.keys(counts[name]).filter(function (value) { return counts[name][value] > 0; });
        if (!values.length) { return; }
        var numeric = values.every(function (value) { return /^\d+$/.test(value); });
        values.sort(numeric ? function (a, b) { return Number(b) - Number(a); } : compare);
        var group = element("fieldset", "gk-search-filters__group");
        group.appendChild(element("legend", "gk-search-filters__name", name));
        var options = element("div", "gk-search-filters__options");
        values.forEach(function (value) {
          var label = element("label", "gk-search-filters__option");
          var box = document.createElement("input");
          box.type = "checkbox";
          box.value = value;
          box.setAttribute("data-gk-filter", name);
          label.appendChild(box);
          label.appendChild(element("span", "", fillIn(text("option"), { value: value, n: counts[name][value] })));
          options.appendChild(label);
        });
        group.appendChild(options);
        fragment.appendChild(group);
      });
      panelBody.textContent = "";
      panelBody.appendChild(fragment);
      if (clear) { clear.hidden = false; }
    }
    if (panel && panelBody) {
      panel.addEventListener("toggle", function () {
        if (!panel.open || filtersLoaded) { return; }
        filtersLoaded = true;
        panelBody.textContent = text("filters-loading");
        engine().then(function (found) {
          return found.pf.filters();  /* every bundle's counts, added up by Pagefind */
        }).then(function (counts) {
          renderFilters(counts || {});
        }, function () {
          filtersLoaded = false;
          panelBody.textContent = text("filters-failed");
        });
      });
      panelBody.addEventListener("change", function () { search(false); });
    }
    if (clear && panelBody) {
      clear.addEventListener("click", function () {
        Array.prototype.forEach.call(panelBody.querySelectorAll("input[type=checkbox]:checked"), function (box) { box.checked = false; });
        search(false);
      });
    }

    if (sortForm) {
      var select = sortForm.querySelector("select");
      if (select && byDate) { select.value = "date"; }
      sortForm.addEventListener("submit", function () {
        var hidden = sortForm.querySelector('input[name="q"]');
        if (hidden) { hidden.value = input.value.trim(); }
      });
      if (select) { select.addEventListener("change", function () { if (sortForm.requestSubmit) { sortForm.requestSubmit(); } else { sortForm.submit(); } }); }
    }

    node.hidden = false;
    var query = params ? (params.get("q") || "").trim() : "";
    if (query) {
      input.value = query;
      search(true);
    }
  }

  /* An index number typed in full (11330100002482066D/2024-00012) or as its 后段码
     (2024-00012) is looked up through its permanent link /i/<number>/ and shown
     above the results. */
  var lookups = 0;
  function lookupIndex(root, text) {
    var box = root.querySelector("[data-gk-index-lookup]");
    if (!box) { return; }
    var query = (text || "").trim().replace(/\s+/g, "");
    var id = ++lookups;
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
      if (!html || id !== lookups) { return; }
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
