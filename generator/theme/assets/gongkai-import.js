/* gongkai: the only use of import() (Pagefind's search modules), in a file of its own.
   A browser that cannot parse import() loses this file, and with it the search
   results, but not gongkai.js (catalogue, 公示 status, print, the search form). */
window.gongkaiImport = function (url) { return import(url); };
