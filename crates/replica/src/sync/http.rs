//! The HTTP transport and the driver loop: carries out what the [`Engine`] decides, over
//! `reqwest`, until everything is pushed and pulled.

use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::StatusCode;
use reqwest::blocking::Client;
use simpul_protocol::http::{
    ENROL_PATH, EnrolRequest, EnrolResponse, ErrorBody, SYNC_PATH, SyncAnswerHeaders,
    sync_request_headers,
};

use super::engine::{Engine, Progress, Request, Response};
use crate::{Error, Replica, Result};

/// A round took longer than this: the link is stalled, so give up on it and retry smaller.
const ROUND_TIMEOUT: Duration = Duration::from_secs(60);

/// How `sync` gives up.
#[derive(Clone, Copy, Debug)]
pub struct SyncOptions {
    /// Stop after this many failures in a row (the next `simpul sync` resumes).
    pub max_consecutive_failures: u32,
    /// Stop after this long in all: it bounds every connection and every request too, so a
    /// server that accepts and never answers cannot hold the device past it.
    pub deadline: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            max_consecutive_failures: 12,
            deadline: Duration::from_secs(30 * 60),
        }
    }
}

/// What a finished sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Synced {
    pub progress: Progress,
    pub created: usize,
    pub updated: usize,
    /// `Some(n)` when the server's change log was new to this device (the server was restored
    /// from a backup, or the device enrolled with another one): this sync started over from
    /// the beginning and offered the device's `n` changes again.
    pub offered_again: Option<u64>,
}

/// Why a round failed.
enum RoundFailure {
    /// The link or the server hiccupped: wait and retry.
    Retry(String),
    /// Nothing came back in time: the server is down, stalled or out of reach.
    Silent,
    /// The server refused for good (bad token, malformed request): stop.
    Fatal(Error),
}

/// Exchange a one-time enrolment code for a device token and remember it. A code for another
/// unit than the replica's is refused by the server before it is spent.
pub fn enrol(replica: &mut Replica, server: &str, code: &str) -> Result<EnrolResponse> {
    let unit = replica.settings().unit.to_string();
    let enrolled = request_enrolment(server, code, &replica.settings().device, Some(&unit))?;
    check_unit(&enrolled, &unit)?;
    replica.set_enrolment(server.trim_end_matches('/'), &enrolled)?;
    Ok(enrolled)
}

/// A server that does not know the `unit` field of the request answers with whatever unit
/// its code is for: a replica never takes an enrolment for another unit than its own.
pub fn check_unit(enrolled: &EnrolResponse, unit: &str) -> Result<()> {
    if enrolled.unit == unit {
        Ok(())
    } else {
        Err(Error::WrongUnit {
            theirs: enrolled.unit.clone(),
            ours: unit.to_string(),
        })
    }
}

/// Exchange a one-time enrolment code for a device token. A new device passes no `unit`: it
/// learns from the answer which unit it collects for before it creates its replica; a device
/// that already collects for a unit passes it, and the server refuses a code for another
/// unit without spending it. The code is spent once this returns, so the caller must keep
/// the answer.
pub fn request_enrolment(
    server: &str,
    code: &str,
    device: &str,
    unit: Option<&str>,
) -> Result<EnrolResponse> {
    let server = server.trim_end_matches('/');
    let client = client()?;
    let request = EnrolRequest {
        code: code.trim().to_string(),
        device: device.to_string(),
        unit: unit.map(str::to_string),
    };
    let response = client
        .post(format!("{server}{ENROL_PATH}"))
        .json(&request)
        .send()
        .map_err(|e| Error::Transport(e.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(server_error(status, response));
    }
    response.json().map_err(|e| Error::Transport(e.to_string()))
}

/// Push and pull until both sides are done, calling `progress` after every round. Resumes
/// from the last acknowledgement; every failure backs off and shrinks the batch.
pub fn sync(
    replica: &mut Replica,
    options: SyncOptions,
    mut progress: impl FnMut(&Progress, Option<&str>),
) -> Result<Synced> {
    let enrolment = replica.enrolment()?.ok_or(Error::NotEnrolled)?;
    let client = client()?;
    let url = format!("{}{SYNC_PATH}", enrolment.server);
    let started = Instant::now();
    let seed = Utc::now().timestamp_nanos_opt().unwrap_or(1) as u64;
    let mut engine = Engine::new(replica.cursor()?, seed);
    let mut synced = Synced::default();
    loop {
        let outbox = replica.outbox(engine.batch_size())?;
        let Some(request) = engine.next(&outbox)? else {
            synced.progress = engine.progress();
            return Ok(synced);
        };
        let remaining = options.deadline.saturating_sub(started.elapsed());
        let mut silent = false;
        let reason = match send(
            &client,
            &url,
            enrolment.token.expose(),
            &request,
            remaining.min(ROUND_TIMEOUT),
        ) {
            Ok(response) => match restored(replica, &response, synced.offered_again.is_none())? {
                Some(waiting) => {
                    // This round counted in the old positions: drop it and start again.
                    engine = Engine::new(0, seed);
                    synced.offered_again = Some(waiting);
                    progress(&engine.progress(), None);
                    continue;
                }
                None => match engine.on_response(response) {
                    Ok(commit) => {
                        let applied = replica.commit_round(commit, Utc::now())?;
                        synced.created += applied.created.len();
                        synced.updated += applied.updated.len();
                        progress(&engine.progress(), None);
                        continue;
                    }
                    Err(e) => e.to_string(),
                },
            },
            Err(RoundFailure::Fatal(e)) => return Err(e),
            Err(RoundFailure::Retry(reason)) => reason,
            Err(RoundFailure::Silent) => {
                silent = true;
                "the server did not answer".to_string()
            }
        };
        let wait = engine.on_failure();
        progress(&engine.progress(), Some(&reason));
        if engine.consecutive_failures() >= options.max_consecutive_failures
            || started.elapsed() + wait >= options.deadline
        {
            if silent {
                return Err(Error::ServerSilent {
                    seconds: started.elapsed().as_secs(),
                });
            }
            return Err(Error::SyncGaveUp {
                failures: engine.consecutive_failures(),
                last: reason,
            });
        }
        std::thread::sleep(wait);
    }
}

/// Whether `response` comes from a server restored from a backup since the last sync (its
/// change log has another identity than the one kept); if so the replica starts over
/// ([`Replica::start_over`]) and the number of changes it will offer again is returned. The
/// first identity seen is kept. A second change within one sync (`may_start_over` false)
/// means two databases answer at one address: refused, with the replica left as it is.
fn restored(
    replica: &mut Replica,
    response: &Response,
    may_start_over: bool,
) -> Result<Option<u64>> {
    let Some(log) = &response.log else {
        return Ok(None);
    };
    match replica.server_log()? {
        Some(known) if known == *log => Ok(None),
        Some(_) if !may_start_over => Err(Error::ServerLogsDiffer),
        Some(_) => Ok(Some(replica.start_over(log)?)),
        None => {
            replica.set_server_log(log)?;
            Ok(None)
        }
    }
}

fn client() -> Result<Client> {
    Client::builder()
        .timeout(ROUND_TIMEOUT)
        .connect_timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| Error::Transport(e.to_string()))
}

fn send(
    client: &Client,
    url: &str,
    token: &str,
    request: &Request,
    timeout: Duration,
) -> std::result::Result<Response, RoundFailure> {
    let failed = |e: reqwest::Error| {
        if e.is_timeout() {
            RoundFailure::Silent
        } else {
            RoundFailure::Retry(e.to_string())
        }
    };
    let mut builder = client.post(url).bearer_auth(token);
    for (name, value) in
        sync_request_headers(request.idempotency_key, request.cursor, request.pull_max)
    {
        builder = builder.header(name, value);
    }
    let response = builder
        .body(request.body.clone())
        .timeout(timeout)
        .send()
        .map_err(failed)?;
    let status = response.status();
    if status.is_server_error() || status == StatusCode::PAYLOAD_TOO_LARGE {
        return Err(RoundFailure::Retry(format!("server answered {status}")));
    }
    if !status.is_success() {
        return Err(RoundFailure::Fatal(server_error(status, response)));
    }
    let SyncAnswerHeaders { cursor, more, log } =
        SyncAnswerHeaders::read(|name| response.headers().get(name)?.to_str().ok())
            .ok_or_else(|| RoundFailure::Retry("the answer had no cursor".into()))?;
    let body = response.bytes().map_err(failed)?.to_vec();
    Ok(Response {
        cursor,
        more,
        body,
        log,
    })
}

fn server_error(status: StatusCode, response: reqwest::blocking::Response) -> Error {
    let body: Option<ErrorBody> = response.json().ok();
    Error::Server {
        status: status.as_u16(),
        code: body.as_ref().map_or_else(String::new, |b| b.code.clone()),
        message: body.map_or_else(|| status.to_string(), |b| b.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(log: Option<&str>) -> Response {
        Response {
            cursor: 40,
            more: false,
            body: Vec::new(),
            log: log.map(str::to_string),
        }
    }

    fn waiting(replica: &Replica) -> i64 {
        replica
            .conn
            .query_row(
                "SELECT COUNT(*) FROM changes WHERE uploaded = 0",
                [],
                |row| row.get(0),
            )
            .unwrap()
    }

    #[test]
    fn a_new_log_identity_starts_over_once_and_a_second_in_one_sync_is_refused() {
        let (_dir, mut replica) = crate::testing::replica("laptop-a");
        replica.capture(crate::testing::interview()).unwrap();
        replica
            .conn
            .execute("UPDATE changes SET uploaded = 1", [])
            .unwrap();
        replica
            .conn
            .execute("INSERT INTO meta (key, value) VALUES ('cursor', '40')", [])
            .unwrap();

        // No identity (an older server), then the first one: kept, nothing else changes.
        assert_eq!(restored(&mut replica, &answer(None), true).unwrap(), None);
        assert_eq!(
            restored(&mut replica, &answer(Some("a")), true).unwrap(),
            None
        );
        assert_eq!(replica.server_log().unwrap().as_deref(), Some("a"));
        assert_eq!((replica.cursor().unwrap(), waiting(&replica)), (40, 0));

        // Restored: back to the start, the device's own change offered again.
        assert_eq!(
            restored(&mut replica, &answer(Some("b")), true).unwrap(),
            Some(1)
        );
        assert_eq!((replica.cursor().unwrap(), waiting(&replica)), (0, 1));
        assert_eq!(replica.server_log().unwrap().as_deref(), Some("b"));

        // Another identity again within the same sync: two databases at one address.
        let refused = restored(&mut replica, &answer(Some("c")), false);
        assert!(
            matches!(refused, Err(Error::ServerLogsDiffer)),
            "{refused:?}"
        );
        assert_eq!(replica.server_log().unwrap().as_deref(), Some("b"));
    }
}
