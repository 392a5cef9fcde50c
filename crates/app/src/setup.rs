//! First run, with or without a server, and joining a server later.
//!
//! Offline, the unit and period are typed in by hand and the unit's name and population are
//! remembered on the device, so Home can show them and the sample target before any server
//! has spoken. With a server, the enrolment comes first — it says which unit the device
//! collects for — and the replica is created for that unit; the first sync then brings the
//! unit's period and population, which take precedence over anything typed.

use simpul_replica::sync::request_enrolment;
use simpul_replica::{PeriodCode, Replica, Settings, UnitCode, current_semester};
use simpul_survey::Lang;

use crate::app::{LANGUAGE, POPULATION, UNIT_NAME, code_of};
use crate::error::{ErrorCode, OrApp, fail};
use crate::ipc::{AppState, OfflineSetup, ServerSetup};
use crate::{App, AppError, Result};

/// The form a new device starts with; a unit's configuration may name another.
const DEFAULT_FORM: &str = "skm-2017";

impl App {
    pub fn setup_offline(&self, setup: OfflineSetup) -> Result<AppState> {
        let mut device = self.device();
        let lang = device.lang;
        refuse_if_set_up(device.replica.is_some(), lang)?;
        let settings = Settings {
            unit: UnitCode::parse(&setup.unit).or_app(lang)?,
            period: PeriodCode::parse(&setup.period).or_app(lang)?,
            form: DEFAULT_FORM.to_string(),
            device: device_name(&setup.device, lang)?,
        };
        let mut replica = Replica::init(&self.data_dir, settings).or_app(lang)?;
        let unit_name = setup.unit_name.trim();
        let population = setup.population.map(|p| p.to_string());
        for (key, value) in [
            (LANGUAGE, Some(code_of(lang))),
            (UNIT_NAME, (!unit_name.is_empty()).then_some(unit_name)),
            (POPULATION, population.as_deref()),
        ] {
            replica.set_local_setting(key, value).or_app(lang)?;
        }
        device.replica = Some(replica);
        self.wrote();
        device.state(&self.files_dir)
    }

    /// The device lock is not held while the server is asked (up to a minute on a bad
    /// link), and the folder the replica will live in is checked first: once the server has
    /// answered, the one-time code is spent, so nothing that could fail may come after it
    /// but creating the replica itself.
    pub fn setup_server(&self, setup: ServerSetup) -> Result<AppState> {
        let lang = {
            let device = self.device();
            refuse_if_set_up(device.replica.is_some(), device.lang)?;
            device.lang
        };
        let name = device_name(&setup.device, lang)?;
        let server = server_address(&setup.server, lang)?;
        Replica::check_can_create(&self.data_dir).or_app(lang)?;
        let enrolled = request_enrolment(&server, &setup.code, &name, None).or_app(lang)?;
        let mut device = self.device();
        refuse_if_set_up(device.replica.is_some(), lang)?;
        let settings = Settings {
            unit: UnitCode::parse(&enrolled.unit).or_app(lang)?,
            period: current_semester(),
            form: DEFAULT_FORM.to_string(),
            device: name,
        };
        let mut replica = Replica::init(&self.data_dir, settings).or_app(lang)?;
        replica.set_enrolment(&server, &enrolled).or_app(lang)?;
        replica
            .set_local_setting(LANGUAGE, Some(code_of(lang)))
            .or_app(lang)?;
        replica
            .set_local_setting(UNIT_NAME, Some(&enrolled.unit_name))
            .or_app(lang)?;
        device.replica = Some(replica);
        // Enrolled: sync at once, even after a refusal of the old token.
        self.sync.sync_now();
        device.state(&self.files_dir)
    }

    /// Join a server with a device set up offline. The server's unit must be the device's:
    /// its responses already name that unit, and a device syncs one unit's data.
    ///
    /// The server refuses a code for another unit without spending it. The device lock is
    /// not held while the server is asked.
    pub fn enrol(&self, setup: ServerSetup) -> Result<AppState> {
        let (lang, unit, name) = {
            let mut device = self.device();
            let lang = device.lang;
            let replica = device.replica_mut()?;
            (
                lang,
                replica.settings().unit.to_string(),
                replica.settings().device.clone(),
            )
        };
        let server = server_address(&setup.server, lang)?;
        let enrolled = request_enrolment(&server, &setup.code, &name, Some(&unit)).or_app(lang)?;
        let mut device = self.device();
        let replica = device.replica_mut()?;
        if enrolled.unit != unit {
            return Err(AppError::new(
                ErrorCode::Invalid,
                match lang {
                    Lang::Id => format!(
                        "kode ini untuk unit {}, sedangkan perangkat ini mengumpulkan data unit \
                         {unit}; minta kode untuk unit {unit} ke admin",
                        enrolled.unit
                    ),
                    Lang::En => format!(
                        "this code is for unit {}, but this device collects for unit {unit}; \
                         ask the administrator for a code for unit {unit}",
                        enrolled.unit
                    ),
                },
            ));
        }
        replica.set_enrolment(&server, &enrolled).or_app(lang)?;
        if replica.local_setting(UNIT_NAME).or_app(lang)?.is_none() {
            replica
                .set_local_setting(UNIT_NAME, Some(&enrolled.unit_name))
                .or_app(lang)?;
        }
        // Enrolled: sync at once, even after a refusal of the old token.
        self.sync.sync_now();
        device.state(&self.files_dir)
    }
}

fn refuse_if_set_up(set_up: bool, lang: Lang) -> Result<()> {
    if set_up {
        Err(fail(
            ErrorCode::Invalid,
            lang,
            "perangkat ini sudah disiapkan",
            "this device is already set up",
        ))
    } else {
        Ok(())
    }
}

fn device_name(raw: &str, lang: Lang) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(fail(
            ErrorCode::Invalid,
            lang,
            "isi nama perangkat (1–80 karakter), misalnya `Tablet loket 2`",
            "give the device a name (1–80 characters), e.g. `Tablet loket 2`",
        ));
    }
    Ok(name.to_string())
}

/// The server's address, with `http://` assumed when no scheme is typed.
fn server_address(raw: &str, lang: Lang) -> Result<String> {
    let raw = raw.trim().trim_end_matches('/');
    if raw.is_empty() || raw.contains(char::is_whitespace) {
        return Err(fail(
            ErrorCode::Invalid,
            lang,
            "isi alamat server, misalnya `https://skm.contoh.go.id`",
            "give the server's address, e.g. `https://skm.contoh.go.id`",
        ));
    }
    if raw.starts_with("http://") || raw.starts_with("https://") {
        Ok(raw.to_string())
    } else {
        Ok(format!("http://{raw}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_address_without_a_scheme_gets_http() {
        assert_eq!(
            server_address(" 10.0.0.2:8080/ ", Lang::Id).unwrap(),
            "http://10.0.0.2:8080"
        );
        assert_eq!(
            server_address("https://skm.example", Lang::Id).unwrap(),
            "https://skm.example"
        );
        assert!(server_address("", Lang::Id).is_err());
    }
}
