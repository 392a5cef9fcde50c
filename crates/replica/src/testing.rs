//! What the unit tests of several modules share.

use crate::{Author, Channel, NewResponse, PeriodCode, Replica, Settings, Status, UnitCode};

/// A fresh replica for U-CAPIL, period 2025-S1, on the standard form, in a temporary folder
/// that lives as long as the returned guard.
pub fn replica(device: &str) -> (tempfile::TempDir, Replica) {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        unit: UnitCode::parse("U-CAPIL").unwrap(),
        period: PeriodCode::parse("2025-S1").unwrap(),
        form: "skm-2017".into(),
        device: device.into(),
    };
    let replica = Replica::init(dir.path(), settings).unwrap();
    (dir, replica)
}

/// A complete interview, every unsur answered 3, by Sari, now.
pub fn interview() -> NewResponse {
    NewResponse {
        channel: Channel::Interview,
        form: None,
        unit: None,
        period: None,
        serial: None,
        answers: (1..=9)
            .map(|u| (format!("U{u}"), "3".to_string()))
            .collect(),
        status: Status::Final,
        author: Author::new("Sari", chrono::Utc::now()),
    }
}
