//! Who captures: enumerators with a PIN, signing in and out, and the kiosk PIN that keeps a
//! respondent from leaving kiosk mode. Every PIN is checked offline against its hash.

use chrono::Utc;

use crate::app::KIOSK_PIN;
use crate::error::{ErrorCode, OrApp, fail};
use crate::ipc::{AppState, Enumerator};
use crate::pin::{Pin, wrong_pin};
use crate::{App, Result};

impl App {
    /// Register an enumerator on this device. When nobody is signed in — the first person
    /// after setup — they are signed in at once, so setting up ends ready to capture.
    pub fn add_enumerator(&self, name: String, pin: String) -> Result<Enumerator> {
        let mut device = self.device();
        let lang = device.lang;
        let pin = Pin::parse(&pin, lang)?;
        let hash = pin.hash(lang)?;
        let record = device
            .replica_mut()?
            .add_enumerator(&name, &hash, Utc::now())
            .or_app(lang)?;
        let enumerator = Enumerator {
            id: record.id,
            name: record.name,
        };
        if device.signed_in.is_none() {
            device.signed_in = Some(enumerator.clone());
        }
        Ok(enumerator)
    }

    pub fn sign_in(&self, id: String, pin: String) -> Result<Enumerator> {
        let mut device = self.device();
        let lang = device.lang;
        let record = device.replica()?.enumerator(&id).or_app(lang)?;
        let Some(record) = record else {
            return Err(fail(
                ErrorCode::NotFound,
                lang,
                "petugas ini tidak terdaftar di perangkat ini",
                "this enumerator is not registered on this device",
            ));
        };
        // A malformed PIN cannot be the right one; it is reported as wrong, not as invalid,
        // so the screen's answer does not depend on what was typed.
        let right = Pin::parse(&pin, lang).is_ok_and(|pin| pin.matches(&record.pin_hash));
        if !right {
            return Err(wrong_pin(lang));
        }
        let enumerator = Enumerator {
            id: record.id,
            name: record.name,
        };
        device.signed_in = Some(enumerator.clone());
        Ok(enumerator)
    }

    pub fn sign_out(&self) -> Result<AppState> {
        let mut device = self.device();
        device.signed_in = None;
        device.state(&self.files_dir)
    }

    /// Set the PIN that leaves kiosk mode. Only a signed-in enumerator may, or a respondent
    /// could set one and lock the tablet.
    pub fn set_kiosk_pin(&self, pin: String) -> Result<AppState> {
        let mut device = self.device();
        let lang = device.lang;
        device.author()?;
        let hash = Pin::parse(&pin, lang)?.hash(lang)?;
        device
            .replica_mut()?
            .set_local_setting(KIOSK_PIN, Some(&hash))
            .or_app(lang)?;
        device.state(&self.files_dir)
    }

    pub fn check_kiosk_pin(&self, pin: String) -> Result<()> {
        let device = self.device();
        let lang = device.lang;
        let Some(stored) = device.replica()?.local_setting(KIOSK_PIN).or_app(lang)? else {
            return Err(fail(
                ErrorCode::Invalid,
                lang,
                "PIN kios belum diatur",
                "no kiosk PIN has been set",
            ));
        };
        if Pin::parse(&pin, lang).is_ok_and(|pin| pin.matches(&stored)) {
            Ok(())
        } else {
            Err(wrong_pin(lang))
        }
    }
}
