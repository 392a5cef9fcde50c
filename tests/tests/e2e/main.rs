//! Simpul end to end: `simpul` devices and `simpul-server` as real processes, talking over
//! real sockets. Needs the binaries built first: `cargo build -p simpul-cli -p simpul-server`.

// Random offline work on several devices, synced in random order, ends identical everywhere.
mod convergence;
// Cuts, stalls, replays, and kills of the server or a device mid-sync: nothing lost or doubled.
mod faults;
// Data carried by bundle file and also synced is never created twice.
mod bundles;
// A revoked device is told so and keeps its unsent data.
mod auth;
// The server reads what devices send: the same report and conflicts as every device.
mod server_reads;
// Supervisors' random decisions on the server and random device work: the same rows everywhere.
mod decisions;
// A server restored from a backup, or a new server, gets from devices all they wrote.
mod backup;
// A district relay carries a week of offline work up in one session, each unit kept apart.
mod relay;
