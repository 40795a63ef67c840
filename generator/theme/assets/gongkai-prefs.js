/* gongkai: the reader's text size and contrast (适老化), put on <html> before the first
   paint; loaded in <head>, a file rather than an inline script (Content-Security-Policy).
   The header buttons that change them are in gongkai.js. */
(function () {
  "use strict";
  try {
    var root = document.documentElement;
    var size = window.localStorage.getItem("gk-font-size");
    if (size && /^(-1|[1-3])$/.test(size)) { root.setAttribute("data-gk-font", size); }
    if (window.localStorage.getItem("gk-contrast") === "high") { root.setAttribute("data-gk-contrast", "high"); }
  } catch (e) { /* storage blocked: the defaults */ }
})();
