//! What `simpul-server admin` does, as functions over any [`Storage`], so tests and other
//! tools call them without a process. They work while the server runs: the admin process
//! opens the same database and waits its turn for the write lock.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{DeviceId, DeviceRecord, Name, Unit, UnitCode};
use crate::people::{Password, Person, Role, Scope};
use crate::secret::{EnrolmentCode, RelayCode};
use crate::storage::{NewPerson, Storage};
use crate::unit_document::{self, UnitSettings};
use crate::{Error, Result};

/// How long an enrolment code stays usable.
pub fn code_validity() -> TimeDelta {
    TimeDelta::days(7)
}

/// Adds a unit and writes its configuration document, which its devices will pull.
pub fn add_unit(
    storage: &dyn Storage,
    code: &str,
    name: &str,
    settings: UnitSettings,
    now: DateTime<Utc>,
) -> Result<Unit> {
    add_unit_in(storage, code, name, None, settings, now)
}

/// [`add_unit`], in an instansi (a district or agency) when one is named.
pub fn add_unit_in(
    storage: &dyn Storage,
    code: &str,
    name: &str,
    instansi: Option<&str>,
    settings: UnitSettings,
    now: DateTime<Utc>,
) -> Result<Unit> {
    let unit = Unit {
        code: UnitCode::parse(code)?,
        name: Name::parse("unit name", name)?,
        instansi: instansi.map(|i| Name::parse("instansi", i)).transpose()?,
    };
    storage.add_unit(&unit, now)?;
    let settings = UnitSettings {
        name: Some(unit.name.to_string()),
        ..settings
    };
    unit_document::write(storage, &unit.code, &settings, now)?;
    Ok(unit)
}

/// Changes a unit's active period, population or form; its devices get the change at their
/// next sync.
pub fn configure_unit(
    storage: &dyn Storage,
    code: &str,
    settings: &UnitSettings,
    now: DateTime<Utc>,
) -> Result<bool> {
    let code = UnitCode::parse(code)?;
    storage
        .unit(&code)?
        .ok_or_else(|| Error::UnknownUnit(code.to_string()))?;
    unit_document::write(storage, &code, settings, now)
}

/// Puts a unit in an instansi, or (with `None`) in none. The instansi is the server's
/// business only: it groups reports and is not written to the unit's devices.
pub fn set_instansi(storage: &dyn Storage, code: &str, instansi: Option<&str>) -> Result<Unit> {
    let code = UnitCode::parse(code)?;
    let instansi = instansi.map(|i| Name::parse("instansi", i)).transpose()?;
    storage.set_instansi(&code, instansi.as_ref())?;
    storage
        .unit(&code)?
        .ok_or_else(|| Error::UnknownUnit(code.to_string()))
}

pub fn units(storage: &dyn Storage) -> Result<Vec<Unit>> {
    storage.units()
}

/// A code just issued. It exists in clear only here: the database holds its hash.
#[derive(Debug)]
pub struct IssuedCode {
    pub code: EnrolmentCode,
    pub unit: Unit,
    pub expires_at: DateTime<Utc>,
}

/// Issues a one-time code that enrols one device into `unit`, valid for
/// [`code_validity`] from `now`.
pub fn issue_enrolment_code(
    storage: &dyn Storage,
    unit: &str,
    now: DateTime<Utc>,
) -> Result<IssuedCode> {
    let code_of_unit = UnitCode::parse(unit)?;
    let unit = storage
        .unit(&code_of_unit)?
        .ok_or_else(|| Error::UnknownUnit(code_of_unit.to_string()))?;
    let code = EnrolmentCode::generate()?;
    let expires_at = now + code_validity();
    storage.add_enrolment_code(&unit.code, code.hash(), now, expires_at)?;
    Ok(IssuedCode {
        code,
        unit,
        expires_at,
    })
}

/// A relay code just issued, with the units it enrols the relay into.
#[derive(Debug)]
pub struct IssuedRelayCode {
    pub code: RelayCode,
    pub units: Vec<Unit>,
    pub expires_at: DateTime<Utc>,
}

/// Which units a relay carries: those listed, or every unit of an instansi as it is now.
#[derive(Clone, Debug)]
pub enum RelayUnits {
    Listed(Vec<String>),
    Instansi(String),
}

/// Issues a code that enrols a district relay into several units at once ([`RelayCode`]):
/// one ordinary enrolment code per unit, each valid for [`code_validity`] from `now`. Every
/// unit must exist; none is issued otherwise.
pub fn issue_relay_code(
    storage: &dyn Storage,
    units: &RelayUnits,
    now: DateTime<Utc>,
) -> Result<IssuedRelayCode> {
    let units: Vec<Unit> = match units {
        RelayUnits::Listed(codes) => codes
            .iter()
            .map(|code| {
                let code = UnitCode::parse(code)?;
                storage
                    .unit(&code)?
                    .ok_or_else(|| Error::UnknownUnit(code.to_string()))
            })
            .collect::<Result<_>>()?,
        RelayUnits::Instansi(name) => {
            let name = Name::parse("instansi", name)?;
            let units: Vec<Unit> = storage
                .units()?
                .into_iter()
                .filter(|unit| unit.instansi.as_ref() == Some(&name))
                .collect();
            if units.is_empty() {
                return Err(Error::UnknownInstansi(name.to_string()));
            }
            units
        }
    };
    let codes: Vec<UnitCode> = units.iter().map(|unit| unit.code.clone()).collect();
    let code = RelayCode::generate(&codes)?;
    let expires_at = now + code_validity();
    for unit in code.units() {
        storage.add_enrolment_code(unit, code.code_for(unit).hash(), now, expires_at)?;
    }
    let mut units = units;
    units.sort_by(|a, b| a.code.cmp(&b.code));
    units.dedup_by(|a, b| a.code == b.code);
    Ok(IssuedRelayCode {
        code,
        units,
        expires_at,
    })
}

pub fn devices(storage: &dyn Storage) -> Result<Vec<DeviceRecord>> {
    storage.devices()
}

/// Revokes a device: its next request is refused. Its changes stay.
pub fn revoke_device(storage: &dyn Storage, id: &str, now: DateTime<Utc>) -> Result<DeviceRecord> {
    storage.revoke(DeviceId::parse(id)?, now)
}

/// Adds a person who signs in to the web: an admin, or a supervisor or viewer of an
/// instansi or of listed units (one of the two, not both).
pub fn add_person(
    storage: &dyn Storage,
    name: &str,
    role: Role,
    instansi: Option<&str>,
    units: &[String],
    password: &Password,
    now: DateTime<Utc>,
) -> Result<Person> {
    let name = Name::parse("name", name)?;
    let instansi = instansi.map(|i| Name::parse("instansi", i)).transpose()?;
    let units = units
        .iter()
        .map(|code| UnitCode::parse(code))
        .collect::<std::result::Result<BTreeSet<_>, _>>()?;
    let scope = match (role, instansi, units.is_empty()) {
        (Role::Admin, None, true) => Scope::Everything,
        (Role::Admin, _, _) => return Err(Error::ScopeOfAdmin),
        (_, Some(_), false) => return Err(Error::ScopeBoth),
        (_, Some(instansi), true) => Scope::Instansi(instansi.to_string()),
        (_, None, false) => Scope::Units(units.clone()),
        (_, None, true) => return Err(Error::ScopeMissing),
    };
    let person = NewPerson {
        name: name.clone(),
        role,
        instansi: match &scope {
            Scope::Instansi(instansi) => Some(instansi.clone()),
            _ => None,
        },
        units,
        password_hash: password.hash()?,
    };
    storage.add_person(&person, now)?;
    Ok(Person {
        name,
        role,
        scope,
        disabled: false,
    })
}

/// Disables a person: their sessions end and they can no longer sign in. What they decided
/// stays, under their name.
pub fn disable_person(storage: &dyn Storage, name: &str, now: DateTime<Utc>) -> Result<()> {
    storage.disable_person(name, now)
}

/// Sets a person's password; their sessions end.
pub fn set_password(storage: &dyn Storage, name: &str, password: &Password) -> Result<()> {
    storage.set_password_hash(name, &password.hash()?)
}
