// The survey page's service worker, served at /f/sw.js for the scope /f/. It keeps the page
// and its files, so a phone that lost its signal can reload the survey and still answer; the
// answers themselves wait in the page's outbox (localStorage) and pass through here untouched.
import { CACHE, CACHE_PREFIX, routeOf, warmList } from "./swRoutes";

// The few service-worker types used here. The project type-checks against the window's
// library (DOM); pulling in the webworker one would change the globals of every other file.
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
}
interface WorkerScope {
  readonly location: { readonly origin: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
  addEventListener(type: "message", listener: (event: ExtendableMessageEvent) => void): void;
}

const worker = self as unknown as WorkerScope;

/** A weak signal can leave a request hanging for a minute; after this long the kept page is
 * shown (the network's answer still refreshes the copy). */
const SLOW_NETWORK_MS = 5_000;

worker.addEventListener("install", (event) => event.waitUntil(worker.skipWaiting()));

worker.addEventListener("activate", (event) =>
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name))),
      )
      // Take the open page at once, so its next reload already works offline.
      .then(() => worker.clients.claim()),
  ),
);

worker.addEventListener("fetch", (event) => {
  const route = routeOf(event.request.method, event.request.url, worker.location.origin);
  if (route === "page") event.respondWith(page(event));
  else if (route === "asset") event.respondWith(asset(event.request));
});

// The first visit loads before the worker runs; the page then names what to keep.
worker.addEventListener("message", (event) => {
  const urls = warmList(event.data, worker.location.origin);
  if (urls.length === 0) return;
  event.waitUntil(
    caches.open(CACHE).then((cache) => Promise.all(urls.map((url) => cache.add(url).catch(() => undefined)))),
  );
});

function page(event: FetchEvent): Promise<Response> {
  const request = event.request;
  const network = fetch(request).then(async (response) => {
    const cache = await caches.open(CACHE);
    // A redirected response may not answer a navigation from the cache later.
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    // A link closed (410) or removed (404) since: its old copy must not come back offline.
    else if (response.status === 404 || response.status === 410) await cache.delete(request);
    return response;
  });
  event.waitUntil(network.catch(() => undefined));
  const kept = caches.match(request, { cacheName: CACHE, ignoreVary: true });
  const slow = new Promise<Response | undefined>((resolve) => setTimeout(() => void kept.then(resolve), SLOW_NETWORK_MS));
  return Promise.race([network, slow.then((hit) => hit ?? network)]).catch(async () => (await kept) ?? Response.error());
}

async function asset(request: Request): Promise<Response> {
  const hit = await caches.match(request, { cacheName: CACHE });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await (await caches.open(CACHE)).put(request, response.clone());
  return response;
}
