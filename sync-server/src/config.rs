//! Settings for `simpul-server serve`, in layers: built-in defaults, then an optional JSON
//! file (`--config`), then environment variables, then command-line flags. clap merges the
//! last two (a flag beats its variable); [`Config::load`] lays them over the file and the
//! defaults.
//!
//! ```json
//! { "data": "/var/lib/simpul", "listen": "0.0.0.0:8080", "body_limit": 8388608, "log_format": "json" }
//! ```
//!
//! No setting here is secret: device tokens and enrolment codes live hashed in the database.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{Error, Result};

/// The default listening address: this machine only. Put a reverse proxy with TLS in front,
/// or choose `0.0.0.0:8080` knowingly.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// The largest request body: one batch frame (the protocol's own frame limit, 8 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 8 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Holds the database.
    pub data_dir: PathBuf,
    /// Port 0 picks a free port; [`Application::port`](crate::Application::port) tells which.
    pub listen: SocketAddr,
    /// Bytes; a larger body is answered `413 too_large`.
    pub body_limit: usize,
    pub log_format: LogFormat,
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
    pub listen: Option<SocketAddr>,
    pub body_limit: Option<usize>,
    pub log_format: Option<LogFormat>,
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
            listen: self.listen.or(below.listen),
            body_limit: self.body_limit.or(below.body_limit),
            log_format: self.log_format.or(below.log_format),
        }
    }
}

impl Config {
    /// Defaults for everything but the data directory, which has no sensible default.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            listen: DEFAULT_LISTEN,
            body_limit: DEFAULT_BODY_LIMIT,
            log_format: LogFormat::default(),
        }
    }

    /// `overrides` (from the environment and flags) over the file's settings over defaults.
    pub fn load(file: Option<&Path>, overrides: Layer) -> Result<Config> {
        let file = file.map(Layer::from_file).transpose()?.unwrap_or_default();
        let layer = overrides.over(file);
        let mut config = Config::new(layer.data.ok_or(Error::NoDataDir)?);
        config.listen = layer.listen.unwrap_or(config.listen);
        config.body_limit = layer.body_limit.unwrap_or(config.body_limit);
        config.log_format = layer.log_format.unwrap_or(config.log_format);
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
        assert_eq!(config.data_dir, PathBuf::from("/srv/simpul"));
        assert_eq!(config.listen, "127.0.0.1:7000".parse().unwrap());
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.body_limit, DEFAULT_BODY_LIMIT);
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
    fn without_a_data_directory_there_is_no_config() {
        let error = Config::load(None, Layer::default()).unwrap_err();
        assert!(matches!(error, Error::NoDataDir), "{error}");
    }
}
