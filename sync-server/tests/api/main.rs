//! The sync server's API, tested over real HTTP: one binary, one fresh database per test.

// spawn_app(), enrolled devices, real Automerge changes, the server as a process.
mod helpers;

// GET /, /health, and the JSON shape of errors for unknown addresses and methods.
mod meta;
// POST /v1/enrol: codes become tokens once, within their validity.
mod enrol;
// POST /v1/sync: push, pull, unit scoping, paging, idempotency.
mod sync;
// Refused requests: bad tokens, forged or oversized bodies; each changes nothing.
mod security;
// Many devices pushing while one pulls: the cursor never skips a change.
mod concurrency;
// Units' configuration documents: written by the server only, pulled by its devices.
mod configuration;
// Silent, stalled and idle connections are closed; a full house delays, never locks out.
mod connections;
// Hostile batches in parallel: the real binary's memory stays flat.
mod memory;
// The real binary: address on stdout, admin commands beside it, SIGTERM, JSON logs.
mod process;
// The follower fills the server's materialised tables behind the change log.
mod materialise;
// Reports across units, enumerator and date filters, CSV exports, instansi.
mod reports;
// People on the web API: sessions, throttled sign-in, cross-site refusals, who may do what.
mod people;
// The official report as a PDF, read back with poppler; the RTL and narrative behind it.
mod official;
// The review queue's reads: a unit's responses filtered, one response in full, by scope.
mod review;
// The supervisors' web on /: the page for browsers, JSON for devices, cached assets.
mod web;
// GET /api/v1/overview: a person's units side by side, what waits, devices, days.
mod overview;
// GET /api/v1/public/CODE: a unit's results for the public, shown by choice.
mod publication;
// A unit's devices and settings on the web API: list, enrol, configure, revoke.
mod devices;
// A unit's page beside its report, suggestions, an instansi's period, the enrolment QR code.
mod unit_page;
// Survey links: answer sets stored once, merged with paper, refused with their status.
mod survey_links;
// The poster and numbered paper sheets, read back with poppler and a QR decoder.
mod printed;
// Invitations mailed through an SMTP server on loopback, single-use links, reminders, opt-out.
mod invitations;
