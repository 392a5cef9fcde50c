//! What the server says about this device's unit: its name, the active survey period, the
//! population the sample size follows from, and the form to use. Set by the server in the
//! unit's configuration document; until one arrives, the device's own settings stand.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use simpul_document::config;

use crate::model::{Filter, PeriodCode, Status};
use crate::{Replica, Result};

/// A unit's configuration, with the progress of the active period towards its sample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitConfig {
    pub code: String,
    pub name: Option<String>,
    pub period: Option<String>,
    pub population: Option<u64>,
    pub form: Option<String>,
    /// The Krejcie & Morgan minimum number of respondents for `population`.
    pub sample_target: Option<u64>,
    /// Final responses collected in `period` for this unit.
    pub collected: u64,
}

impl Replica {
    /// The configuration the server sent for this device's unit, if any yet.
    pub fn unit_config(&self) -> Result<Option<UnitConfig>> {
        let unit = self.settings().unit.to_string();
        let row = self
            .conn
            .query_row(
                "SELECT name, period, population, form FROM units WHERE code = ?1 AND doc = ?2",
                params![unit, config::unit_document_id(&unit).to_string()],
                |row| {
                    Ok((
                        row.get::<_, Option<String>>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, Option<i64>>(2)?,
                        row.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((name, period, population, form)) = row else {
            return Ok(None);
        };
        let population = population.and_then(|p| u64::try_from(p).ok());
        let collected = match &period {
            Some(period) => self.count(&Filter {
                period: Some(period.clone()),
                unit: Some(unit.clone()),
                status: Some(Status::Final),
                ..Filter::default()
            })?,
            None => 0,
        };
        Ok(Some(UnitConfig {
            code: unit,
            name,
            period,
            population,
            form,
            sample_target: population.map(simpul_survey::krejcie_morgan),
            collected,
        }))
    }

    /// The period new responses belong to: the server's active period for this unit when it
    /// has sent one, else the device's own setting.
    pub fn active_period(&self) -> Result<PeriodCode> {
        let configured = self
            .unit_config()?
            .and_then(|u| u.period)
            .and_then(|p| PeriodCode::parse(&p).ok());
        Ok(configured.unwrap_or_else(|| self.settings().period.clone()))
    }

    /// The form new responses use: the server's choice when known to this build, else the
    /// device's own setting.
    pub fn active_form(&self) -> Result<String> {
        let configured = self
            .unit_config()?
            .and_then(|u| u.form)
            .filter(|f| self.forms.contains_key(f));
        Ok(configured.unwrap_or_else(|| self.settings().form.clone()))
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};
    use simpul_protocol::Entry;

    use super::*;
    use crate::testing::interview;

    fn replica() -> (tempfile::TempDir, Replica) {
        crate::testing::replica("tablet")
    }

    /// A configuration change as the server writes it.
    fn unit_change(doc: &mut Automerge, period: &str, population: u64) -> Entry {
        let mut tx = doc.transaction();
        tx.put(ROOT, config::KIND, config::KIND_UNIT).unwrap();
        tx.put(ROOT, config::CODE, "U-CAPIL").unwrap();
        tx.put(ROOT, config::NAME, "Disdukcapil").unwrap();
        tx.put(ROOT, config::PERIOD, period).unwrap();
        tx.put(ROOT, config::POPULATION, population).unwrap();
        tx.commit();
        Entry {
            doc: config::unit_document_id("U-CAPIL"),
            change: doc.get_last_local_change().unwrap().raw_bytes().to_vec(),
        }
    }

    #[test]
    fn without_word_from_the_server_the_devices_own_period_stands() {
        let (_dir, replica) = replica();
        assert_eq!(replica.unit_config().unwrap(), None);
        assert_eq!(replica.active_period().unwrap().as_str(), "2025-S1");
    }

    #[test]
    fn the_servers_period_and_population_drive_new_responses_and_the_target() {
        let (_dir, mut replica) = replica();
        let mut server = Automerge::new();
        let applied = replica
            .apply(vec![unit_change(&mut server, "2025-S2", 1000)])
            .unwrap();
        assert!(
            applied.created.is_empty(),
            "a configuration is no new response"
        );
        assert_eq!(applied.new_changes, 1);

        let id = replica.capture(interview()).unwrap().id();

        assert_eq!(replica.show(id).unwrap().summary.period, "2025-S2");
        let unit = replica.unit_config().unwrap().unwrap();
        assert_eq!(unit.name.as_deref(), Some("Disdukcapil"));
        assert_eq!(unit.population, Some(1000));
        assert_eq!(unit.sample_target, Some(278), "Krejcie & Morgan for 1000");
        assert_eq!(unit.collected, 1);
        // The configuration is not a response.
        assert_eq!(replica.list(&Filter::default()).unwrap().len(), 1);
    }

    #[test]
    fn a_later_configuration_change_moves_the_active_period() {
        let (_dir, mut replica) = replica();
        let mut server = Automerge::new();
        replica
            .apply(vec![unit_change(&mut server, "2025-S1", 1000)])
            .unwrap();
        replica
            .apply(vec![unit_change(&mut server, "2026-S1", 1000)])
            .unwrap();
        assert_eq!(replica.active_period().unwrap().as_str(), "2026-S1");
    }

    #[test]
    fn a_document_claiming_to_be_the_units_configuration_elsewhere_is_refused() {
        let (_dir, mut replica) = replica();
        let mut server = Automerge::new();
        replica
            .apply(vec![unit_change(&mut server, "2025-S2", 1000)])
            .unwrap();
        let mut forger = Automerge::new();
        let mut forged = unit_change(&mut forger, "2099-S9", 1);
        forged.doc = uuid::Uuid::now_v7();

        let err = replica.apply(vec![forged]).unwrap_err();

        assert!(
            matches!(
                err,
                crate::Error::NotAResponse(simpul_document::Refusal::ClaimsConfiguration { .. })
            ),
            "{err}"
        );
        assert_eq!(replica.active_period().unwrap().as_str(), "2025-S2");
        assert_eq!(replica.last_seq().unwrap(), 1, "nothing of it was kept");
    }
}
