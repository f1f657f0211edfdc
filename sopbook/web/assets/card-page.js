// A card's page says whether the scanned card (its QR code carries ?rev=N) is current: every
// answer is already in the page, one hidden note per released revision; this shows the one asked.
(function () {
  "use strict";
  function show() {
    var page = document.querySelector(".sb-card-page");
    if (!page) return;
    var rev = new URLSearchParams(location.search).get("rev");
    if (rev === null) return;
    var notes = page.querySelectorAll(".sb-card-rev");
    var match = null;
    notes.forEach(function (note) {
      if (note.getAttribute("data-rev") === rev.trim()) match = note;
    });
    if (!match) match = page.querySelector(".sb-card-rev--unknown");
    notes.forEach(function (note) { note.hidden = note !== match; });
  }
  // Material's instant loading swaps pages without a new load: follow its page observable too.
  if (typeof document$ !== "undefined" && document$.subscribe) document$.subscribe(show);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
