//! Settings for `simpul-server serve`, in layers: built-in defaults, then an optional JSON
//! file (`--config`), then environment variables, then command-line flags. clap merges the
//! last two (a flag beats its variable); [`Config::load`] lays them over the file and the
//! defaults.
//!
//! ```json
//! { "data": "/var/lib/simpul", "listen": "0.0.0.0:8080", "body_limit": 8388608, "log_format": "json",
//!   "header_timeout_secs": 30, "body_timeout_secs": 30, "max_connections": 500,
//!   "min_free_space": 67108864, "web_answers_per_hour": 200 }
//! ```
//!
//! Device tokens and enrolment codes live hashed in the database, not here; the one setting
//! that may hold a secret is `smtp_url` (the mail server's password), used only by
//! `admin invite --send`.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::database::Database;
use crate::{Error, Result};

/// The default listening address: this machine only. Put a reverse proxy with TLS in front,
/// or choose `0.0.0.0:8080` knowingly.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// The largest request body: one batch frame (the protocol's own frame limit, 8 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 8 << 20;

/// How long a client may take to send a request's header, and how long a kept-alive
/// connection may wait idle for its next request: a socket that sends nothing must not hold
/// one of the server's few file descriptors for ever.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a request body may stall between two pieces before the request is refused and
/// its connection closed. A slow network still gets through; a stopped client does not.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Below this much free space in the data directory `/health` answers `503`: SQLite needs
/// room for its write-ahead log long before the disk is truly full.
pub const DEFAULT_MIN_FREE_SPACE: u64 = 64 << 20;

/// Answer sets one address may send through one survey link in an hour. Generous: a
/// counter's tablets, or a whole office behind one router, share one address.
pub const DEFAULT_WEB_ANSWERS_PER_HOUR: u32 = 200;

/// Connections served at once when the open-file limit does not say otherwise.
const MAX_CONNECTIONS_CEILING: usize = 8192;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The SQLite data folder or the PostgreSQL database.
    pub database: Database,
    /// Port 0 picks a free port; [`Application::port`](crate::Application::port) tells which.
    pub listen: SocketAddr,
    /// Bytes; a larger body is answered `413 too_large`.
    pub body_limit: usize,
    pub log_format: LogFormat,
    /// See [`DEFAULT_HEADER_TIMEOUT`].
    pub header_timeout: Duration,
    /// See [`DEFAULT_BODY_TIMEOUT`].
    pub body_timeout: Duration,
    /// Connections served at once; further clients wait in the listen queue until one closes.
    /// Defaults to [`default_max_connections`].
    pub max_connections: usize,
    /// Bytes; see [`DEFAULT_MIN_FREE_SPACE`].
    pub min_free_space: u64,
    /// See [`DEFAULT_WEB_ANSWERS_PER_HOUR`].
    pub web_answers_per_hour: u32,
}

/// Half the process's open-file limit (the other half stays for the database files, the
/// log and the listener), at most 8192: past the limit `accept` fails and every device, and
/// `/health` with them, would be shut out.
pub fn default_max_connections() -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    limit
        .and_then(|limit| usize::try_from(limit / 2).ok())
        .unwrap_or(MAX_CONNECTIONS_CEILING)
        .clamp(1, MAX_CONNECTIONS_CEILING)
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// One layer of settings: each is optional, and a higher layer's value wins.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub data: Option<PathBuf>,
    /// A PostgreSQL address instead of `data`; it may hold a password, as `smtp_url` may.
    pub database: Option<String>,
    pub listen: Option<SocketAddr>,
    pub body_limit: Option<usize>,
    pub log_format: Option<LogFormat>,
    pub header_timeout_secs: Option<u64>,
    pub body_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub min_free_space: Option<u64>,
    pub web_answers_per_hour: Option<u32>,
    /// The SMTP server invitations are e-mailed through (`admin invite --send`); it may hold
    /// a password, so keep the file readable by the server's account only.
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
}

impl Layer {
    pub fn from_file(path: &Path) -> Result<Layer> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ConfigFile {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| Error::ConfigSyntax {
            path: path.to_path_buf(),
            source,
        })
    }

    /// `self` laid over `below`.
    fn over(self, below: Layer) -> Layer {
        Layer {
            data: self.data.or(below.data),
            database: self.database.or(below.database),
            listen: self.listen.or(below.listen),
            body_limit: self.body_limit.or(below.body_limit),
            log_format: self.log_format.or(below.log_format),
            header_timeout_secs: self.header_timeout_secs.or(below.header_timeout_secs),
            body_timeout_secs: self.body_timeout_secs.or(below.body_timeout_secs),
            max_connections: self.max_connections.or(below.max_connections),
            min_free_space: self.min_free_space.or(below.min_free_space),
            web_answers_per_hour: self.web_answers_per_hour.or(below.web_answers_per_hour),
            smtp_url: self.smtp_url.or(below.smtp_url),
            smtp_from: self.smtp_from.or(below.smtp_from),
        }
    }
}

impl Config {
    /// Defaults for everything but the data folder, which has no sensible default.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config::on(Database::Folder(data_dir.into()))
    }

    /// Defaults for everything but the database.
    pub fn on(database: Database) -> Config {
        Config {
            database,
            listen: DEFAULT_LISTEN,
            body_limit: DEFAULT_BODY_LIMIT,
            log_format: LogFormat::default(),
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: default_max_connections(),
            min_free_space: DEFAULT_MIN_FREE_SPACE,
            web_answers_per_hour: DEFAULT_WEB_ANSWERS_PER_HOUR,
        }
    }

    /// `overrides` (from the environment and flags) over the file's settings over defaults.
    pub fn load(file: Option<&Path>, overrides: Layer) -> Result<Config> {
        let file = file.map(Layer::from_file).transpose()?.unwrap_or_default();
        let (overrides_data, overrides_database) =
            (overrides.data.clone(), overrides.database.clone());
        if overrides_data.is_some() && overrides_database.is_some() {
            return Err(Error::TwoDatabases);
        }
        let layer = overrides.over(file);
        // A flag names one database; the file may name the other, and then the flag wins.
        let database = match (overrides_database, overrides_data) {
            (Some(url), _) => Database::Postgres(url),
            (None, Some(folder)) => Database::Folder(folder),
            (None, None) => Database::choose(layer.data.clone(), layer.database.clone())?,
        };
        let mut config = Config::on(database);
        config.listen = layer.listen.unwrap_or(config.listen);
        config.body_limit = layer.body_limit.unwrap_or(config.body_limit);
        config.log_format = layer.log_format.unwrap_or(config.log_format);
        let seconds = |secs: Option<u64>, default| secs.map_or(default, Duration::from_secs);
        config.header_timeout = seconds(layer.header_timeout_secs, config.header_timeout);
        config.body_timeout = seconds(layer.body_timeout_secs, config.body_timeout);
        config.max_connections = layer
            .max_connections
            .unwrap_or(config.max_connections)
            .max(1);
        config.min_free_space = layer.min_free_space.unwrap_or(config.min_free_space);
        config.web_answers_per_hour = layer
            .web_answers_per_hour
            .unwrap_or(config.web_answers_per_hour);
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_beats_the_file_and_the_file_beats_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.json");
        std::fs::write(
            &file,
            r#"{ "data": "/srv/simpul", "listen": "0.0.0.0:9000", "log_format": "json" }"#,
        )
        .unwrap();
        let overrides = Layer {
            listen: Some("127.0.0.1:7000".parse().unwrap()),
            ..Layer::default()
        };
        let config = Config::load(Some(&file), overrides).unwrap();
        assert_eq!(config.database, Database::Folder("/srv/simpul".into()));
        assert_eq!(config.listen, "127.0.0.1:7000".parse().unwrap());
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.body_limit, DEFAULT_BODY_LIMIT);
    }

    #[test]
    fn connection_limits_come_from_the_file_and_default_to_production_values() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.json");
        std::fs::write(
            &file,
            r#"{ "data": "/srv/simpul", "header_timeout_secs": 5, "max_connections": 100 }"#,
        )
        .unwrap();

        let config = Config::load(Some(&file), Layer::default()).unwrap();

        assert_eq!(config.header_timeout, Duration::from_secs(5));
        assert_eq!(config.max_connections, 100);
        assert_eq!(config.body_timeout, DEFAULT_BODY_TIMEOUT);
        assert_eq!(config.min_free_space, DEFAULT_MIN_FREE_SPACE);
        let derived = default_max_connections();
        assert!(
            (1..=MAX_CONNECTIONS_CEILING).contains(&derived),
            "{derived}"
        );
    }

    #[test]
    fn a_misspelt_setting_in_the_file_is_an_error_not_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.json");
        std::fs::write(
            &file,
            r#"{ "data": "/srv/simpul", "listne": "0.0.0.0:9000" }"#,
        )
        .unwrap();
        let error = Config::load(Some(&file), Layer::default()).unwrap_err();
        assert!(matches!(error, Error::ConfigSyntax { .. }), "{error}");
    }

    #[test]
    fn a_database_flag_beats_a_folder_in_the_file_and_two_in_one_layer_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.json");
        std::fs::write(&file, r#"{ "data": "/srv/simpul" }"#).unwrap();
        let url = "postgres://simpul@db.internal/simpul".to_string();
        let flag = Layer {
            database: Some(url.clone()),
            ..Layer::default()
        };
        let both = Layer {
            data: Some("/srv/other".into()),
            ..flag.clone()
        };

        let config = Config::load(Some(&file), flag).unwrap();
        let refused = Config::load(None, both).unwrap_err();

        assert_eq!(config.database, Database::Postgres(url));
        assert!(matches!(refused, Error::TwoDatabases), "{refused}");
    }

    #[test]
    fn without_a_data_directory_there_is_no_config() {
        let error = Config::load(None, Layer::default()).unwrap_err();
        assert!(matches!(error, Error::NoDataDir), "{error}");
    }
}
