//! What the unit tests of several modules share.

use crate::{PeriodCode, Replica, Settings, UnitCode};

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
