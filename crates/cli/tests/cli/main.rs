//! `simpul` driven as scripts drive it: a real process, a real replica folder, real files.

// Running the binary against a temporary replica; generated and spoiled CSV files.
mod helpers;

// Kill -9 during CSV import, many times over: nothing reported is lost, nothing doubled.
mod crash;
// Bundle files between replicas, refused when damaged; CSV export that imports back.
mod bundle;
// CSV as offices save and open it: formulas neutralised, `;` and tab, Windows-1252, CRLF,
// runaway cells.
mod csv_files;
// Failures worded once, in the chosen language, with the flag or command that helps.
mod errors;
// Paper questionnaires from CSV: line-numbered errors, headers, re-imports, double entry.
mod import_csv;
// The IKM report in JSON and in both languages, and the Krejcie–Morgan sample size.
mod report;
// A replica on read-only media: read by every reading command, no file touched.
mod read_only;
// Single responses: capture, validation, edit, delete and restore, conflicts and resolve.
mod responses;
// Sync against a server that accepts and never answers: bounded by --timeout.
mod sync;
