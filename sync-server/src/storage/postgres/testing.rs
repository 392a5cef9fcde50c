//! A fresh database per test on the throwaway cluster that `scripts/test` starts (or any
//! server named by `SIMPUL_TEST_POSTGRES`, a `postgres://` address whose user may create
//! databases), dropped when the test ends.

use std::str::FromStr;

use postgres::{Config, NoTls};

use super::PostgresStorage;

/// The environment variable naming the test cluster.
pub const VARIABLE: &str = "SIMPUL_TEST_POSTGRES";

pub struct TestDatabase {
    admin: Config,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// Creates an empty database. Fails the test, rather than skipping it, when no cluster is
    /// named: `scripts/test` starts one (`scripts/with-postgres CMD` for a single command).
    pub fn create() -> TestDatabase {
        let url = std::env::var(VARIABLE).unwrap_or_else(|_| {
            panic!(
                "{VARIABLE} is not set: run the tests through scripts/test, or one command \
                 through scripts/with-postgres, which start a throwaway PostgreSQL cluster"
            )
        });
        let admin = Config::from_str(&url).expect("SIMPUL_TEST_POSTGRES is a postgres:// URL");
        let name = format!("simpul_test_{}", uuid::Uuid::now_v7().simple());
        let mut client = admin.connect(NoTls).expect("the test cluster answers");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("the test user may create databases");
        TestDatabase {
            admin,
            admin_url: url,
            name,
        }
    }

    pub fn config(&self) -> Config {
        let mut config = self.admin.clone();
        config.dbname(&self.name);
        config
    }

    /// This database's address, as a node's `--database` gives it.
    pub fn url(&self) -> String {
        let mut url = url::Url::parse(&self.admin_url).expect("SIMPUL_TEST_POSTGRES is a URL");
        url.set_path(&self.name);
        url.to_string()
    }

    /// A storage on this database, as one more server node would open it.
    pub fn storage(&self) -> PostgresStorage {
        PostgresStorage::connect(self.config()).expect("the test database opens")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = self.admin.connect(NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
