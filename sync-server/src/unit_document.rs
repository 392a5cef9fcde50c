//! Writing a unit's configuration document (see `simpul_document::config`): the only
//! Automerge document the server authors. It is rebuilt from its stored changes, edited, and
//! the new change stored in the unit's scope, so devices pull it like any other change.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, Automerge, Change, ROOT, ReadDoc};
use chrono::{DateTime, Utc};
use simpul_document::config;

use crate::model::{IncomingChange, PeriodCode, UnitCode};
use crate::storage::Storage;
use crate::{Error, Result};

/// What to set; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitSettings {
    pub name: Option<String>,
    pub period: Option<PeriodCode>,
    pub population: Option<u64>,
    pub form: Option<String>,
}

/// Apply `settings` to `unit`'s configuration document. Returns whether anything changed.
pub fn write(
    storage: &dyn Storage,
    unit: &UnitCode,
    settings: &UnitSettings,
    now: DateTime<Utc>,
) -> Result<bool> {
    let id = config::unit_document_id(unit.as_str());
    let broken = |source: automerge::AutomergeError| Error::Document {
        doc: id,
        source: Box::new(source),
    };
    let mut changes = Vec::new();
    for bytes in storage.document_changes(id)? {
        changes.push(Change::from_bytes(bytes).map_err(|e| broken(e.into()))?);
    }
    // A fresh actor per edit: admin commands run in separate processes and may overlap, and
    // Automerge merges concurrent edits of different actors.
    let mut doc = Automerge::new().with_actor(ActorId::random());
    doc.apply_changes(changes).map_err(broken)?;

    let mut tx = doc.transaction();
    let mut put = |key: &str, value: automerge::ScalarValue| -> Result<()> {
        tx.put(ROOT, key, value).map_err(broken)?;
        Ok(())
    };
    put(config::KIND, config::KIND_UNIT.into())?;
    put(config::CODE, unit.as_str().into())?;
    if let Some(name) = &settings.name {
        put(config::NAME, name.as_str().into())?;
    }
    if let Some(period) = &settings.period {
        put(config::PERIOD, period.as_str().into())?;
    }
    if let Some(population) = settings.population {
        put(config::POPULATION, population.into())?;
    }
    if let Some(form) = &settings.form {
        put(config::FORM, form.as_str().into())?;
    }
    let options = CommitOptions::default()
        .with_message("server")
        .with_time(now.timestamp_millis());
    let (Some(hash), _) = tx.commit_with(options) else {
        return Ok(false);
    };
    let change = doc.get_change_by_hash(&hash).expect("just committed");
    let incoming = IncomingChange {
        hash: hash.0,
        doc: id,
        bytes: change.raw_bytes().to_vec(),
        creates: change.deps().is_empty(),
    };
    storage.store_server_changes(unit, &[incoming], now)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Name, Unit};
    use crate::storage::{ChangeLog, SqliteStorage};

    fn load(storage: &dyn Storage, unit: &str) -> Automerge {
        let id = config::unit_document_id(unit);
        let changes = storage
            .document_changes(id)
            .unwrap()
            .into_iter()
            .map(|b| Change::from_bytes(b).unwrap());
        let mut doc = Automerge::new();
        doc.apply_changes(changes).unwrap();
        doc
    }

    fn text(doc: &Automerge, key: &str) -> Option<String> {
        doc.get(ROOT, key)
            .unwrap()
            .and_then(|(value, _)| value.as_str().map(str::to_string))
    }

    #[test]
    fn later_settings_edit_the_same_document_and_keep_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path()).unwrap();
        let code = UnitCode::parse("U-CAPIL").unwrap();
        let unit = Unit {
            code: code.clone(),
            name: Name::parse("unit name", "Disdukcapil").unwrap(),
            instansi: None,
        };
        storage.add_unit(&unit, Utc::now()).unwrap();
        let first = UnitSettings {
            name: Some("Disdukcapil".into()),
            period: Some(PeriodCode::parse("2025-S1").unwrap()),
            population: Some(1200),
            form: Some("skm-2017".into()),
        };
        assert!(write(&storage, &code, &first, Utc::now()).unwrap());
        let next = UnitSettings {
            period: Some(PeriodCode::parse("2025-S2").unwrap()),
            ..UnitSettings::default()
        };
        assert!(write(&storage, &code, &next, Utc::now()).unwrap());

        let doc = load(&storage, "U-CAPIL");
        assert_eq!(text(&doc, config::PERIOD).as_deref(), Some("2025-S2"));
        assert_eq!(text(&doc, config::NAME).as_deref(), Some("Disdukcapil"));
        assert_eq!(
            storage
                .document_changes(config::unit_document_id("U-CAPIL"))
                .unwrap()
                .len(),
            2
        );
    }
}
