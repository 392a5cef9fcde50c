//! A district relay: a server on an office laptop that the office's tablets enrol with and
//! sync to over the LAN every day, and that forwards their work to the upstream server, and
//! the upstream's down to them, whenever the upstream answers — once a week, perhaps.
//!
//! Upstream, a relay is nothing new: with a relay code ([`RelayCode`]) it enrols once as one
//! device of each unit it carries, and forwards as those devices sync. Locally it is an
//! ordinary server over its own data folder, holding only its units, with its own change
//! log; a device moved from the relay to the upstream (or back) notices the other log at its
//! next sync and exchanges everything once more, which stores nothing twice.
//!
//! - [`state`]: what the relay remembers of the upstream, beside its database.
//! - [`upstream`]: the HTTP link.
//! - [`forward`]: one unit, both ways, in bounded batches.

pub mod forward;
pub mod state;
pub mod upstream;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use self::state::{Carried, RelayState};
use self::upstream::Upstream;
use crate::model::{DeviceId, Name, Unit, UnitCode};
use crate::secret::{DeviceToken, EnrolmentCode, RelayCode};
use crate::storage::{NewDevice, Storage};
use crate::{Error, Result};

/// How a relay was asked to run.
#[derive(Clone, Debug)]
pub struct RelaySettings {
    pub upstream: String,
    /// The relay code; needed until every unit of it is enrolled upstream.
    pub code: Option<String>,
    /// The name the relay's devices get upstream.
    pub name: String,
    /// How long the forwarder waits between passes.
    pub every: Duration,
}

/// Opens the relay state of `data_dir` and enrols upstream for every unit of the code not yet
/// carried, adding each unit to the relay's own server with the upstream's name for it. A
/// relay enrolled before needs no code; a relay cut off half-way through enrolling takes up
/// the remaining units with the same code.
pub fn prepare(
    storage: &dyn Storage,
    data_dir: &Path,
    settings: &RelaySettings,
) -> Result<(RelayState, Upstream)> {
    let state = RelayState::open(data_dir)?;
    state.set_upstream(&settings.upstream)?;
    let upstream = Upstream::new(&settings.upstream)?;
    if let Some(raw) = &settings.code {
        let code = RelayCode::parse(raw).ok_or_else(|| Error::InvalidValue {
            what: "relay code",
            value: raw.clone(),
            reason: "expected units and a code, as `simpul-server admin enrol-code --relay` \
                     prints it: U-A,U-B:KQ7M-4XPA-2H",
        })?;
        let carried: Vec<UnitCode> = state.carried()?.into_iter().map(|c| c.unit).collect();
        for unit in code.units().iter().filter(|u| !carried.contains(u)) {
            let enrolled = upstream.enrol(&code.code_for(unit), unit, &settings.name)?;
            let local = stand_in(storage, unit, &enrolled.unit_name)?;
            state.add_carried(&Carried {
                unit: unit.clone(),
                upstream_device: enrolled.device_id,
                token: enrolled.token,
                local,
                up: 0,
                down: 0,
                upstream_log: None,
                last_contact: Some(Utc::now()),
                last_error: None,
            })?;
            tracing::info!(%unit, upstream = %upstream.url(), "enrolled upstream");
        }
    }
    if state.carried()?.is_empty() {
        return Err(Error::RelayNeedsCode);
    }
    Ok((state, upstream))
}

/// The unit on the relay's own server (added bare: its configuration comes down from the
/// upstream) and the local device that stands for the upstream in it.
fn stand_in(storage: &dyn Storage, unit: &UnitCode, name: &str) -> Result<crate::model::Device> {
    let now = Utc::now();
    if storage.unit(unit)?.is_none() {
        let unit = Unit {
            code: unit.clone(),
            name: Name::parse("unit name", name)?,
            instansi: None,
        };
        storage.add_unit(&unit, now)?;
    }
    let code = EnrolmentCode::generate()?;
    storage.add_enrolment_code(unit, code.hash(), now, now + TimeDelta::minutes(5))?;
    let id = DeviceId::new();
    storage.enrol(
        &NewDevice {
            code: code.hash(),
            id,
            name: Name::parse("device name", "upstream")?,
            // Never handed out: the stand-in only pushes and pulls inside this process.
            token: DeviceToken::generate()?.hash(),
            expected_unit: Some(unit.clone()),
        },
        now,
    )?;
    Ok(crate::model::Device {
        id,
        unit: unit.clone(),
    })
}

/// Forwards every carried unit, then waits, until `stop`; failures are recorded per unit
/// (`simpul-server status`) and tried again at the next pass. The wait is `every` while the
/// upstream answers and grows while it does not (see [`wait_after`]).
pub fn spawn_forwarder(
    storage: Arc<dyn Storage>,
    state: RelayState,
    upstream: Upstream,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("relay-forwarder".into())
        .spawn(move || {
            let mut unanswered = 0;
            while !stop.load(Ordering::SeqCst) {
                if pass(storage.as_ref(), &state, &upstream) {
                    unanswered = 0;
                } else {
                    unanswered += 1;
                }
                let next = Instant::now() + wait_after(every, unanswered);
                while Instant::now() < next && !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(50).min(every));
                }
            }
        })
}

/// How long the forwarder waits after `unanswered` passes in a row in which no unit got
/// through: `every` while the upstream answers, then twice as long after each pass that
/// failed, up to ten times `every`. A relay cut off for a week asks a few times an hour
/// instead of twice a minute, and still finds a connection that comes back within minutes.
pub fn wait_after(every: Duration, unanswered: u32) -> Duration {
    every
        .saturating_mul(1 << unanswered.min(4))
        .min(every.saturating_mul(10))
}

/// One forwarding pass over every carried unit: whether the upstream answered for at least
/// one of them (or there was nothing to carry).
pub fn pass(storage: &dyn Storage, state: &RelayState, upstream: &Upstream) -> bool {
    let carried = match state.carried() {
        Ok(carried) => carried,
        Err(error) => {
            tracing::error!(error = %crate::error::Chain(&error), "the relay state cannot be read");
            return false;
        }
    };
    let mut answered = carried.is_empty();
    for mut unit in carried {
        match forward::forward(storage, state, upstream, &mut unit) {
            Ok(moved) => {
                answered = true;
                if moved != forward::Forwarded::default() {
                    tracing::info!(unit = %unit.unit, up = moved.up, down = moved.down, "forwarded");
                }
            }
            Err(error) => {
                let reason = crate::error::Chain(&error).to_string();
                tracing::warn!(unit = %unit.unit, error = %reason, "forwarding stopped");
                if let Err(error) = state.failed(&unit.unit, &reason) {
                    tracing::error!(error = %crate::error::Chain(&error), "the relay state cannot be written");
                }
            }
        }
    }
    answered
}

/// What `simpul-server status` shows of one carried unit.
#[derive(Clone, Debug, Serialize)]
pub struct UnitStatus {
    pub unit: String,
    /// Changes of the relay's devices not yet acknowledged upstream.
    pub waiting: u64,
    pub last_contact: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// What is waiting to go up, and when each unit last reached the upstream.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub upstream: Option<String>,
    pub units: Vec<UnitStatus>,
}

pub fn status(storage: &dyn Storage, state: &RelayState) -> Result<Status> {
    let mut units = Vec::new();
    for carried in state.carried()? {
        let config_doc = simpul_document::config::unit_document_id(carried.unit.as_str());
        let mut waiting = 0;
        let mut after = carried.up;
        loop {
            let pulled = storage.pull(&carried.local, after, forward::BATCH)?;
            let going_up = pulled.entries.iter();
            waiting += going_up
                .filter(|e| !forward::stays_local(e, config_doc))
                .count() as u64;
            after = pulled.cursor;
            if !pulled.more {
                break;
            }
        }
        units.push(UnitStatus {
            unit: carried.unit.to_string(),
            waiting,
            last_contact: carried.last_contact,
            last_error: carried.last_error,
        });
    }
    Ok(Status {
        upstream: state.upstream()?,
        units,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_while_the_upstream_is_silent_and_stops_at_ten_times() {
        let every = Duration::from_secs(30);
        let waits: Vec<u64> = (0..7).map(|n| wait_after(every, n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 300, 300, 300]);
        assert_eq!(wait_after(every, u32::MAX), Duration::from_secs(300));
    }

    #[test]
    fn a_short_interval_stays_short_once_the_upstream_answers() {
        let every = Duration::from_millis(200);
        assert_eq!(wait_after(every, 0), every);
        assert_eq!(wait_after(every, 3), Duration::from_millis(1_600));
    }
}
