//! The figures: Home's counts and targets, and the IKM report with its profile breakdowns.
//!
//! The unit's name and population come from the server's configuration when it has sent
//! one, else from what was typed at setup: the server speaks for the whole unit, a device
//! only for itself.

use chrono::{Local, TimeZone, Utc};
use simpul_replica::{Filter, Replica, Status};
use simpul_survey::round_to_hundredths as hundredths;
use simpul_survey::{Form, IkmReport, ItemKind, Lang, Weighting, krejcie_morgan};

use crate::app::{POPULATION, UNIT_NAME};
use crate::error::OrApp;
use crate::ipc::{Bar, Breakdown, Home, ReportView, ResponseFilter, UnsurView};
use crate::{App, Result};

impl App {
    pub fn home(&self) -> Result<Home> {
        let device = self.device();
        let lang = device.lang;
        let replica = device.replica()?;
        let period = replica.active_period().or_app(lang)?.to_string();
        let (unit_name, population) = unit_facts(replica, lang)?;
        let midnight = Local::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| Local.from_local_datetime(&t).earliest())
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
        let today = replica
            .count_since(&Filter::default(), midnight)
            .or_app(lang)?;
        let in_period = replica
            .count(&Filter {
                period: Some(period.clone()),
                unit: Some(replica.settings().unit.to_string()),
                status: Some(Status::Final),
                ..Filter::default()
            })
            .or_app(lang)?;
        let conflicts = replica
            .count(&Filter {
                has_conflict: Some(true),
                ..Filter::default()
            })
            .or_app(lang)?;
        let status = replica.sync_status().or_app(lang)?;
        Ok(Home {
            unit_code: replica.settings().unit.to_string(),
            unit_name,
            period,
            form_title: device.active_form()?.title.get(lang).to_string(),
            today,
            in_period,
            target: population.map(krejcie_morgan),
            population,
            pending_changes: status.pending_changes,
            pending_responses: status.pending_responses,
            conflicts,
            sync: self.sync.state(),
        })
    }

    /// The IKM of the final responses matching the period, service and channel of
    /// `filter`, with everything the report screen draws.
    pub fn report(&self, filter: ResponseFilter) -> Result<ReportView> {
        let device = self.device();
        let lang = device.lang;
        let replica = device.replica()?;
        let form = device.active_form()?;
        let scope = Filter {
            status: Some(Status::Final),
            ..crate::views::filter(&ResponseFilter {
                has_conflict: None,
                include_deleted: false,
                ..filter
            })
        };
        let ikm = replica.report(&scope, Weighting::Exact).or_app(lang)?;
        let profile = profile(replica, form, &scope, lang)?;
        let (_, population) = unit_facts(replica, lang)?;
        Ok(ReportView {
            target: population.map(krejcie_morgan),
            profile,
            periods: replica.periods().or_app(lang)?,
            services: replica.services().or_app(lang)?,
            ..ikm_view(&ikm, lang)
        })
    }
}

/// The unit's name and population: the server's when known, else the device's own.
fn unit_facts(replica: &Replica, lang: Lang) -> Result<(Option<String>, Option<u64>)> {
    let server = replica.unit_config().or_app(lang)?;
    let name = match server.as_ref().and_then(|u| u.name.clone()) {
        Some(name) => Some(name),
        None => replica.local_setting(UNIT_NAME).or_app(lang)?,
    };
    let population = match server.as_ref().and_then(|u| u.population) {
        Some(population) => Some(population),
        None => replica
            .local_setting(POPULATION)
            .or_app(lang)?
            .and_then(|p| p.parse().ok()),
    };
    Ok((name, population))
}

/// The figures of an IKM as printed: every value rounded to hundredths, so each agrees with
/// its grade.
fn ikm_view(ikm: &IkmReport, lang: Lang) -> ReportView {
    ReportView {
        ikm: ikm.ikm.map(hundredths),
        grade: ikm.grade.map(|g| g.letter().to_string()),
        grade_label: ikm.grade.map(|g| g.label().get(lang).to_string()),
        n: ikm.n,
        target: None,
        unsur: ikm
            .unsur
            .iter()
            .map(|u| UnsurView {
                id: u.id.clone(),
                name: u.name.clone(),
                n: u.n,
                nrr: u.nrr.map(hundredths),
                converted: u.converted.map(hundredths),
                grade: u.grade.map(|g| g.letter().to_string()),
            })
            .collect(),
        weakest: ikm.weakest.clone(),
        profile: Vec::new(),
        periods: Vec::new(),
        services: Vec::new(),
    }
}

/// One breakdown per choice item of the form, every option in the form's order (zeros
/// included, so charts of two filters line up).
fn profile(replica: &Replica, form: &Form, scope: &Filter, lang: Lang) -> Result<Vec<Breakdown>> {
    let mut breakdowns = Vec::new();
    for item in &form.items {
        let ItemKind::Choice { options, .. } = &item.kind else {
            continue;
        };
        let tallies = replica.tally(&item.id, scope).or_app(lang)?;
        let bars = options
            .iter()
            .map(|option| Bar {
                code: option.code.clone(),
                label: option.label.get(lang).to_string(),
                count: tallies
                    .iter()
                    .find(|t| t.value.as_deref() == Some(option.code.as_str()))
                    .map_or(0, |t| t.count),
            })
            .collect();
        breakdowns.push(Breakdown {
            item: item.id.clone(),
            label: item.label.get(lang).to_string(),
            bars,
        });
    }
    Ok(breakdowns)
}
