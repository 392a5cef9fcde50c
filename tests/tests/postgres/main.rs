//! What only a server on PostgreSQL does, whichever backend the other suites run on: several
//! nodes on one database, and a database restored with `pg_restore`. Needs the throwaway
//! cluster `scripts/test` starts (`SIMPUL_TEST_POSTGRES`) and the binaries built first.

// Three nodes behind a balancer, one killed mid-run: nothing missed or doubled.
mod nodes;
// A database restored from last night's pg_dump gets back from devices what came after it.
mod restore;
