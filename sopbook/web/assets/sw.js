/* The handbook's service worker: one build, whole, on the phone. Staff open the handbook beside
   the car or in an underground garage without signal, so every page, the search index, the
   styles and scripts the pages load and every card PDF are stored on the first visit, in one
   cache named after the build's hash. A new build is a new sw.js (its hash changed): the phone
   stores the whole new build beside the old one, the open page says the handbook was updated,
   and the old cache is deleted only when the new worker takes over, so nobody reads half of one
   build and half of the next.

   Under `mkdocs serve` (NETWORK_FIRST) pages come from the preview server while it answers, so
   live reload shows every edit; the cache is only the fallback, and a new worker takes over at
   once without asking. */
"use strict";

// The build: written by sopbook (web/offline.py). FILES are relative to this script.
const BUILD = "__BUILD__";
const FILES = [];
const NETWORK_FIRST = false;

const PREFIX = "sopbook-offline|" + self.registration.scope + "|";
const CACHE = PREFIX + BUILD;

function pathKey(url) {
  try {
    return decodeURIComponent(url.pathname);
  } catch (error) {
    return url.pathname;
  }
}

// Request path (decoded) -> the URL stored in the cache.
const STORED = new Map();
for (const file of FILES) {
  const url = new URL(file, self.location.href);
  STORED.set(pathKey(url), url.href);
}

async function store(cache, href) {
  // "reload": never store a copy the HTTP cache kept from the previous build.
  const response = await fetch(new Request(href, { cache: "reload" }));
  if (!response.ok) {
    throw new Error(href + ": HTTP " + response.status);
  }
  // A host that redirects x/index.html to x/: a redirected response cannot answer a navigation.
  const clean = response.redirected
    ? new Response(await response.blob(), { status: response.status, statusText: response.statusText,
                                            headers: response.headers })
    : response;
  await cache.put(href, clean);
}

self.addEventListener("install", (event) => {
  // One failed file fails the install: a half-stored build never replaces a whole one.
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all([...STORED.values()].map((href) => store(cache, href)));
    if (NETWORK_FIRST) {
      await self.skipWaiting();
    }
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

// The page asks after staff pressed the button of the 手册已更新 notice.
self.addEventListener("message", (event) => {
  if (event.data === "sopbook-offline:activate") {
    self.skipWaiting();
  }
});

function stored(url) {
  const key = pathKey(url);
  if (STORED.has(key)) {
    return STORED.get(key);
  }
  // A folder is its index page (the permalink <site>/<chapter>/#<thing> of the cards' QR codes).
  if (key.endsWith("/") && STORED.has(key + "index.html")) {
    return STORED.get(key + "index.html");
  }
  return null;
}

async function fromCache(href) {
  const cache = await caches.open(CACHE);
  return cache.match(href);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  const href = stored(url);
  if (href === null) {
    return; // not part of the build: the network answers, as without a worker
  }
  if (NETWORK_FIRST) {
    event.respondWith(fetch(request).catch(async (error) => (await fromCache(href)) || Promise.reject(error)));
    return;
  }
  event.respondWith(fromCache(href).then((response) => response || fetch(request)));
});
