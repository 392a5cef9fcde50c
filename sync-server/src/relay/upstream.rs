//! The relay's link to its upstream server: the same two requests a device makes, enrol and
//! sync (`simpul_protocol::http`), over a blocking client with bounded waits, so a link
//! that stalls costs one round, not the forwarder.

use std::time::Duration;

use reqwest::blocking::Client;
use simpul_protocol::http::{
    ENROL_PATH, EnrolRequest, EnrolResponse, ErrorBody, SYNC_PATH, SyncAnswerHeaders,
    sync_request_headers,
};
use uuid::Uuid;

use crate::model::UnitCode;
use crate::secret::EnrolmentCode;
use crate::{Error, Result};

/// A round trip taking longer than this is given up: the link is stalled.
const ROUND_TIMEOUT: Duration = Duration::from_secs(120);

pub struct Upstream {
    client: Client,
    url: String,
}

/// What one sync round trip brought back.
#[derive(Debug)]
pub struct Answer {
    pub cursor: u64,
    pub more: bool,
    pub body: Vec<u8>,
    pub log: Option<String>,
}

impl Upstream {
    pub fn new(url: &str) -> Result<Upstream> {
        let client = Client::builder()
            .timeout(ROUND_TIMEOUT)
            .connect_timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| Error::Upstream {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
        Ok(Upstream {
            client,
            url: url.trim_end_matches('/').to_string(),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Enrols as a device of `unit` with that unit's code.
    pub fn enrol(
        &self,
        code: &EnrolmentCode,
        unit: &UnitCode,
        name: &str,
    ) -> Result<EnrolResponse> {
        let request = EnrolRequest {
            code: code.expose(),
            device: name.to_string(),
            unit: Some(unit.to_string()),
        };
        let body = serde_json::to_vec(&request).map_err(|e| self.unreachable(e))?;
        let response = self
            .client
            .post(format!("{}{ENROL_PATH}", self.url))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .map_err(|e| self.unreachable(e))?;
        let response = self.success(response)?;
        let bytes = response.bytes().map_err(|e| self.unreachable(e))?;
        serde_json::from_slice(&bytes).map_err(|e| self.unreachable(e))
    }

    /// One push-and-pull round trip as the device holding `token`.
    pub fn sync(
        &self,
        token: &str,
        key: Uuid,
        cursor: u64,
        pull_max: usize,
        body: Vec<u8>,
    ) -> Result<Answer> {
        let mut request = self
            .client
            .post(format!("{}{SYNC_PATH}", self.url))
            .bearer_auth(token);
        for (name, value) in sync_request_headers(key, cursor, pull_max) {
            request = request.header(name, value);
        }
        let response = request.body(body).send().map_err(|e| self.unreachable(e))?;
        let response = self.success(response)?;
        let SyncAnswerHeaders { cursor, more, log } =
            SyncAnswerHeaders::read(|name| response.headers().get(name)?.to_str().ok())
                .ok_or_else(|| self.unreachable("the answer had no cursor"))?;
        let body = response.bytes().map_err(|e| self.unreachable(e))?.to_vec();
        Ok(Answer {
            cursor,
            more,
            body,
            log,
        })
    }

    fn success(
        &self,
        response: reqwest::blocking::Response,
    ) -> Result<reqwest::blocking::Response> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let message = response
            .bytes()
            .ok()
            .and_then(|bytes| serde_json::from_slice::<ErrorBody>(&bytes).ok())
            .map_or_else(String::new, |body| body.message);
        Err(Error::UpstreamRefused {
            url: self.url.clone(),
            status: status.as_u16(),
            message,
        })
    }

    fn unreachable(&self, reason: impl std::fmt::Display) -> Error {
        Error::Upstream {
            url: self.url.clone(),
            reason: reason.to_string(),
        }
    }
}
