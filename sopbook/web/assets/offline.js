/* Offline handbook: registers the service worker (sw.js at the site's root) that keeps one whole
   build on the phone, and says the handbook was updated when a newer build has been stored and
   is waiting (in the handbook's language: WORDS, written by sopbook).
   Only on https and on this machine (http://localhost, 127.0.0.1): browsers refuse service
   workers elsewhere, and a handbook opened from disk (file://) stays exactly as it was, without
   a worker. The notice reloads the page only when staff press its button: nobody loses their
   place mid-procedure. */
(function () {
  "use strict";

  var LIVE_PREVIEW = false; // true under `mkdocs serve` (written by sopbook): pages come from the server
  // The notice's words in the handbook's language (written by sopbook).
  var WORDS = {"updated": "The handbook has been updated", "reload": "Load the new version"};
  var LOCAL = ["localhost", "127.0.0.1", "[::1]"];

  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  if (location.protocol !== "https:" && !(location.protocol === "http:" && LOCAL.indexOf(location.hostname) >= 0)) {
    return;
  }
  // This file is assets/sopbook/offline.js; the worker sits at the root, so it serves every page.
  var workerUrl = new URL("../../sw.js", script.src);
  var asked = false;

  function notice(worker) {
    if (LIVE_PREVIEW || document.querySelector(".sb-update")) return;
    var box = document.createElement("div");
    box.className = "sb-update";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    var text = document.createElement("span");
    text.className = "sb-update-text";
    text.textContent = WORDS.updated;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sb-update-reload";
    button.textContent = WORDS.reload;
    button.addEventListener("click", function () {
      asked = true;
      button.disabled = true;
      if (worker.state === "activated") {
        location.reload(); // another tab already switched to the new build
      } else {
        worker.postMessage("sopbook-offline:activate");
      }
    });
    box.appendChild(text);
    box.appendChild(button);
    document.body.appendChild(box);
  }

  function watch(registration) {
    if (registration.waiting && navigator.serviceWorker.controller) notice(registration.waiting);
    registration.addEventListener("updatefound", function () {
      var worker = registration.installing;
      if (!worker) return;
      worker.addEventListener("statechange", function () {
        // A first install has no page to update; a later one waits for the button.
        if (worker.state === "installed" && navigator.serviceWorker.controller) notice(worker);
      });
    });
    // A phone keeps the handbook open for days: look for a newer build when it comes back.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") registration.update().catch(function () {});
    });
  }

  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (asked) location.reload();
  });
  navigator.serviceWorker.register(workerUrl.href).then(watch, function () {
    // No worker (private mode, storage full): the handbook works online as before.
  });
})();
