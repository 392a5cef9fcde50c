//! The suites on PostgreSQL: with `SIMPUL_E2E_DATABASE=postgres`, every [`Server`] runs on a
//! fresh database of the cluster named by `SIMPUL_TEST_POSTGRES` (the throwaway one
//! `scripts/test` starts), dropped when the server is. Servers reach it over TLS, checking
//! its certificate against the cluster's authority (`SIMPUL_TEST_POSTGRES_CA`), as a
//! deployment whose database is on another machine does.
//!
//! [`Server`]: super::Server

use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use postgres::{Config, NoTls};

use super::process::{Run, run};

/// Which backend the suites run on: `sqlite` (the default) or `postgres`.
pub const BACKEND: &str = "SIMPUL_E2E_DATABASE";

/// The cluster's address, whose user may create databases.
pub const CLUSTER: &str = "SIMPUL_TEST_POSTGRES";

/// The certificate of the authority that signed the cluster's, when it offers TLS.
pub const AUTHORITY: &str = "SIMPUL_TEST_POSTGRES_CA";

pub struct TestDatabase {
    admin: Config,
    url: String,
    name: String,
}

impl TestDatabase {
    /// A fresh database when the suites run on PostgreSQL, `None` on SQLite.
    pub fn wanted() -> Option<TestDatabase> {
        match std::env::var(BACKEND).as_deref() {
            Err(_) | Ok("") | Ok("sqlite") => None,
            Ok("postgres") => Some(TestDatabase::create()),
            Ok(other) => panic!("{BACKEND}={other:?}: expected sqlite or postgres"),
        }
    }

    pub fn create() -> TestDatabase {
        let cluster = std::env::var(CLUSTER).unwrap_or_else(|_| {
            panic!("{BACKEND}=postgres needs {CLUSTER}: run the suites through scripts/test")
        });
        let admin = Config::from_str(&cluster).expect("SIMPUL_TEST_POSTGRES is a postgres:// URL");
        let name = format!("simpul_e2e_{}", unique_suffix());
        admin
            .connect(NoTls)
            .and_then(|mut client| client.batch_execute(&format!("CREATE DATABASE {name}")))
            .expect("the test cluster creates a database");
        let mut url = url::Url::parse(&cluster).expect("SIMPUL_TEST_POSTGRES is a URL");
        url.set_path(&name);
        if let Ok(authority) = std::env::var(AUTHORITY) {
            url.query_pairs_mut()
                .append_pair("sslmode", "require")
                .append_pair("sslrootcert", &authority);
        }
        TestDatabase {
            admin,
            url: url.to_string(),
            name,
        }
    }

    /// `postgres://USER@HOST:PORT/NAME?sslmode=require&sslrootcert=FILE`, as `--database`
    /// takes it.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The connections clients hold to this database now, and how many of them are TLS.
    pub fn connections(&self) -> (i64, i64) {
        let mut client = self.admin.connect(NoTls).expect("the test cluster answers");
        let row = client
            .query_one(
                "SELECT count(*), count(*) FILTER (WHERE s.ssl)
                   FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
                  WHERE a.datname = $1",
                &[&self.name],
            )
            .expect("the cluster lists its connections");
        (row.get(0), row.get(1))
    }

    /// `pg_dump --format=custom` of the database into `file`, as an operator's nightly job
    /// takes it.
    pub fn dump(&self, file: &Path) -> Run {
        let mut dump = Command::new("pg_dump");
        dump.arg("--format=custom")
            .arg("--file")
            .arg(file)
            .arg("--dbname")
            .arg(&self.url);
        run(format!("pg_dump {}", self.name), dump).ok()
    }

    /// The database dropped, created again empty and filled with `pg_restore` from `file`,
    /// as after losing the disk. Every connection to it must be closed first.
    pub fn restore(&self, file: &Path) -> Run {
        let mut client = self.admin.connect(NoTls).expect("the test cluster answers");
        // One statement at a time: several in one query would share a transaction, which
        // neither may run in.
        for statement in ["DROP DATABASE {} WITH (FORCE)", "CREATE DATABASE {}"] {
            client
                .batch_execute(&statement.replace("{}", &self.name))
                .expect("the database is dropped and created again");
        }
        let mut restore = Command::new("pg_restore");
        restore
            .args(["--exit-on-error", "--no-owner", "--dbname"])
            .arg(&self.url)
            .arg(file);
        run(format!("pg_restore {}", self.name), restore).ok()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = self.admin.connect(NoTls) {
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = client.batch_execute(&drop);
        }
    }
}

/// A name part no other test's database has: the process and a counter.
fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    )
}
