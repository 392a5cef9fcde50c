use automerge::{Automerge, ROOT, ReadDoc};
use chrono::Utc;
use reqwest::StatusCode;
use simpul_document::{PeriodCode, config};
use simpul_protocol::Entry;
use simpul_server::admin;
use simpul_server::unit_document::UnitSettings;

use crate::helpers::{SyncRequest, interview_in, spawn_app};

fn settings(period: &str, population: u64) -> UnitSettings {
    UnitSettings {
        name: None,
        period: Some(PeriodCode::parse(period).unwrap()),
        population: Some(population),
        form: Some("skm-2017".into()),
    }
}

/// The unit document as a device would rebuild it from what it pulled.
fn unit_document(entries: &[Entry], unit: &str) -> Automerge {
    let id = config::unit_document_id(unit);
    let changes = entries
        .iter()
        .filter(|e| e.doc == id)
        .map(|e| automerge::Change::from_bytes(e.change.clone()).unwrap());
    let mut doc = Automerge::new();
    doc.apply_changes(changes).unwrap();
    doc
}

fn text(doc: &Automerge, key: &str) -> Option<String> {
    doc.get(ROOT, key)
        .unwrap()
        .and_then(|(value, _)| value.as_scalar().map(|s| s.to_string()))
}

#[tokio::test]
async fn a_device_pulls_its_units_configuration_and_no_other_units() {
    let app = spawn_app().await;
    // An administrator adds two units with their active period and population.
    app.add_configured_unit("U-CAPIL", settings("2025-S1", 1200));
    app.add_configured_unit("U-RSUD", settings("2025-S2", 50_000));
    let tablet = app.device("U-CAPIL", "tablet").await;

    // Its first sync brings exactly one document: its own unit's configuration.
    let pulled = app.sync(&tablet, SyncRequest::new()).await.ok();

    let docs: Vec<_> = pulled.entries.iter().map(|e| e.doc).collect();
    assert_eq!(docs, [config::unit_document_id("U-CAPIL")]);
    let doc = unit_document(&pulled.entries, "U-CAPIL");
    assert_eq!(text(&doc, config::PERIOD).as_deref(), Some("\"2025-S1\""));
    assert_eq!(
        text(&doc, config::NAME).as_deref(),
        Some("\"Unit U-CAPIL\"")
    );
    assert_eq!(text(&doc, config::POPULATION).as_deref(), Some("1200"));
}

#[tokio::test]
async fn a_new_active_period_reaches_devices_at_their_next_sync() {
    let app = spawn_app().await;
    app.add_configured_unit("U-CAPIL", settings("2025-S1", 1200));
    let tablet = app.device("U-CAPIL", "tablet").await;
    let first = app.sync(&tablet, SyncRequest::new()).await.ok();

    // The semester turns over.
    let next = UnitSettings {
        period: Some(PeriodCode::parse("2025-S2").unwrap()),
        ..UnitSettings::default()
    };
    assert!(admin::configure_unit(app.storage.as_ref(), "U-CAPIL", &next, Utc::now()).unwrap());
    let second = app
        .sync(&tablet, SyncRequest::new().cursor(first.cursor))
        .await
        .ok();

    assert_eq!(second.entries.len(), 1, "only the edit travels");
    let all: Vec<Entry> = first.entries.into_iter().chain(second.entries).collect();
    let doc = unit_document(&all, "U-CAPIL");
    assert_eq!(text(&doc, config::PERIOD).as_deref(), Some("\"2025-S2\""));
    assert_eq!(text(&doc, config::POPULATION).as_deref(), Some("1200"));
}

#[tokio::test]
async fn a_device_writing_its_units_configuration_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    app.add_configured_unit("U-CAPIL", settings("2025-S1", 1200));
    let tablet = app.device("U-CAPIL", "tablet").await;
    let before = app.change_count();

    // A genuine response change, and a forged change filed under the configuration document.
    let mut batch = interview_in("U-CAPIL", 1);
    let mut forged = interview_in("U-CAPIL", 1);
    forged[0].doc = config::unit_document_id("U-CAPIL");
    batch.extend(forged);
    let reply = app.sync(&tablet, SyncRequest::new().push(&batch)).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error().code, "malformed_batch");
    assert_eq!(
        app.change_count(),
        before,
        "not even the genuine change was kept"
    );
}

#[tokio::test]
async fn a_device_handing_back_the_servers_own_configuration_change_is_fine() {
    let app = spawn_app().await;
    app.add_configured_unit("U-CAPIL", settings("2025-S1", 1200));
    let tablet = app.device("U-CAPIL", "tablet").await;
    let pulled = app.sync(&tablet, SyncRequest::new()).await.ok();

    // The change came back by bundle and sits in another device's outbox with a response.
    let other = app.device("U-CAPIL", "laptop").await;
    let mut batch = pulled.entries.clone();
    batch.extend(interview_in("U-CAPIL", 1));
    let reply = app.sync(&other, SyncRequest::new().push(&batch)).await.ok();

    assert_eq!(reply.stored, 1, "only the response is new");
}
