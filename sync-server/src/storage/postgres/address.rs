//! The database's address as operators already write it for `psql`, TLS included.
//!
//! `postgres://USER@HOST:PORT/DATABASE` connects in plain TCP, as on loopback or a private
//! network. `?sslmode=require` makes every connection TLS, and then the server's
//! certificate is always checked, name and all: against the well-known public authorities
//! (a managed database), and against the authority in `sslrootcert=FILE` (PEM) when a
//! ministry's database carries a certificate of its own. A connection that only looks
//! encrypted would hand the data of every unit to whoever sits in the middle, so there is
//! no mode that encrypts without checking.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use postgres::config::SslMode;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::{Error, Result};

/// Where the database is and how to reach it.
#[derive(Clone)]
pub struct Address {
    pub config: postgres::Config,
    pub tls: MakeRustlsConnect,
}

impl Address {
    pub fn parse(url: &str) -> Result<Address> {
        let (url, root) = take_root_certificate(url);
        let config = postgres::Config::from_str(&url).map_err(Error::DatabaseUrl)?;
        Address::new(config, root.as_deref())
    }

    /// `config` as it is, `sslmode=require` meaning TLS against the public authorities and
    /// `root`, any other mode plain TCP.
    pub fn new(mut config: postgres::Config, root: Option<&Path>) -> Result<Address> {
        let required = config.get_ssl_mode() == SslMode::Require;
        if let (Some(root), false) = (root, required) {
            return Err(Error::DatabaseTls(format!(
                "sslrootcert={} is given without sslmode=require",
                root.display()
            )));
        }
        if !required {
            // `prefer`, the default, would try TLS whenever the server offers it and fail
            // on a certificate nobody asked to check, such as Debian's self-signed one.
            config.ssl_mode(SslMode::Disable);
        }
        Ok(Address {
            config,
            tls: MakeRustlsConnect::new(client_config(root)?),
        })
    }

    /// One connection, made before any pool: a database that is down or a certificate that
    /// is refused is then told at once with its cause, not as a pool's time-out later.
    pub fn reach(&self) -> Result<postgres::Client> {
        self.config
            .connect(self.tls.clone())
            .map_err(Error::DatabaseUnreachable)
    }
}

/// The address without `sslrootcert`, which the driver does not know, and that file.
fn take_root_certificate(address: &str) -> (String, Option<PathBuf>) {
    let Ok(mut url) = url::Url::parse(address) else {
        // Not a URL (`host=… user=…`): the driver parses it, or says what is wrong.
        return (address.to_string(), None);
    };
    let mut root = None;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, value)| {
            let is_root = key == "sslrootcert";
            if is_root {
                root = Some(PathBuf::from(value.as_ref()));
            }
            !is_root
        })
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    if root.is_some() {
        url.set_query(None);
        if !kept.is_empty() {
            url.query_pairs_mut().extend_pairs(kept);
        }
    }
    (url.to_string(), root)
}

fn client_config(root: Option<&Path>) -> Result<rustls::ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = root {
        let refused = |reason: String| Error::DatabaseTls(format!("{}: {reason}", path.display()));
        let certificates = CertificateDer::pem_file_iter(path)
            .map_err(|e| refused(e.to_string()))?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| refused(e.to_string()))?;
        if certificates.is_empty() {
            return Err(refused("no PEM certificate in the file".into()));
        }
        for certificate in certificates {
            roots.add(certificate).map_err(|e| refused(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::DatabaseTls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::ChangeLog;
    use crate::storage::postgres::PostgresStorage;
    use crate::storage::postgres::testing::TestDatabase;

    #[test]
    fn a_plain_address_connects_without_tls_even_where_the_server_offers_it() {
        let address = Address::parse("postgres://simpul@10.0.0.5:5432/simpul").unwrap();
        assert_eq!(address.config.get_ssl_mode(), SslMode::Disable);
        assert_eq!(address.config.get_dbname(), Some("simpul"));
    }

    #[test]
    fn the_root_certificate_is_taken_out_of_the_address_and_the_rest_kept() {
        let (url, root) = take_root_certificate(
            "postgres://simpul@db.kemenpan.example:5432/simpul?sslmode=require&sslrootcert=/etc/simpul/ca.pem&application_name=simpul",
        );
        assert_eq!(root, Some(PathBuf::from("/etc/simpul/ca.pem")));
        let config = postgres::Config::from_str(&url).unwrap();
        assert_eq!(config.get_ssl_mode(), SslMode::Require);
        assert_eq!(config.get_application_name(), Some("simpul"));
    }

    #[test]
    fn a_root_certificate_that_cannot_be_read_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("ca.pem");
        let url = format!(
            "postgres://simpul@127.0.0.1:5432/simpul?sslmode=require&sslrootcert={}",
            missing.display()
        );
        let error = Address::parse(&url).err().unwrap().to_string();
        assert!(error.contains("ca.pem"), "{error}");

        let not_pem = dir.path().join("ca.txt");
        std::fs::write(&not_pem, "bukan sertifikat").unwrap();
        let url = url.replace("ca.pem", "ca.txt");
        let error = Address::parse(&url).err().unwrap().to_string();
        assert!(
            error.contains("ca.txt") && error.contains("no PEM"),
            "{error}"
        );
    }

    /// The throwaway cluster of `scripts/lib.sh` offers TLS with a certificate for
    /// 127.0.0.1 from an authority of its own, whose certificate it names.
    fn test_authority() -> String {
        std::env::var("SIMPUL_TEST_POSTGRES_CA").unwrap_or_else(|_| {
            panic!("SIMPUL_TEST_POSTGRES_CA is not set: run the tests through scripts/test")
        })
    }

    fn over_tls(client: &mut postgres::Client) -> bool {
        client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap()
            .get(0)
    }

    #[test]
    fn sslmode_require_with_the_databases_authority_keeps_a_server_over_tls() {
        let db = TestDatabase::create();
        let url = format!(
            "{}?sslmode=require&sslrootcert={}",
            db.url(),
            test_authority()
        );
        let storage = PostgresStorage::open(&url).unwrap();
        assert!(over_tls(&mut storage.client().unwrap()));
        assert_eq!(storage.change_count().unwrap(), 0, "migrated and readable");

        let plain = PostgresStorage::open(&db.url()).unwrap();
        assert!(
            !over_tls(&mut plain.client().unwrap()),
            "plain unless asked"
        );
    }

    #[test]
    fn a_certificate_no_known_authority_signed_is_refused() {
        let db = TestDatabase::create();
        let error = PostgresStorage::open(&format!("{}?sslmode=require", db.url()))
            .err()
            .unwrap();
        let chain = crate::error::Chain(&error).to_string();
        assert!(
            chain.contains("cannot reach the database") && chain.contains("UnknownIssuer"),
            "{chain}"
        );
    }

    #[test]
    fn a_root_certificate_without_required_tls_is_refused() {
        let error = Address::parse("postgres://simpul@127.0.0.1/simpul?sslrootcert=/etc/ca.pem")
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("sslmode=require"), "{error}");
    }
}
