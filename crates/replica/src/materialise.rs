//! Rebuild a response's rows in `responses`, `answers` and `conflicts` from its document.
//! Only documents are truth; these rows exist so lists and the IKM never load Automerge.

use std::collections::BTreeMap;

use automerge::Automerge;
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use simpul_document::config;
use simpul_document::read::Response;
use simpul_survey::Form;
use uuid::Uuid;

use crate::Result;
use crate::doc;

pub use simpul_document::read::SCORE_SLOTS;

/// Rebuild whatever `doc` is: a unit's configuration, a response, or — when it is neither —
/// nothing at all, so that it never shows as a response nor as configuration.
pub fn document(
    tx: &Transaction<'_>,
    forms: &BTreeMap<String, Form>,
    id: Uuid,
    doc: &Automerge,
) -> Result<()> {
    if doc::get_text(doc, config::KIND)?.as_deref() == Some(config::KIND_UNIT) {
        return unit(tx, id, doc);
    }
    match Response::read(id, doc)? {
        Some(read) => response(tx, forms, &read),
        None => forget(tx, id),
    }
}

fn forget(tx: &Transaction<'_>, id: Uuid) -> Result<()> {
    let key = id.to_string();
    for table in ["answers", "conflicts"] {
        tx.execute(&format!("DELETE FROM {table} WHERE response = ?1"), [&key])?;
    }
    tx.execute("DELETE FROM responses WHERE id = ?1", [&key])?;
    Ok(())
}

/// A unit's configuration, as the server last set it. Only the unit's reserved document
/// counts: a document elsewhere claiming to be it is ignored (and never admitted by a
/// replica in the first place).
fn unit(tx: &Transaction<'_>, id: Uuid, doc: &Automerge) -> Result<()> {
    let Some(code) = doc::get_text(doc, config::CODE)? else {
        return Ok(());
    };
    if id != config::unit_document_id(&code) {
        return Ok(());
    }
    let population = doc::get_text(doc, config::POPULATION)?.and_then(|p| p.parse::<i64>().ok());
    tx.execute(
        "INSERT OR REPLACE INTO units (code, doc, name, period, population, form)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            code,
            id.to_string(),
            doc::get_text(doc, config::NAME)?,
            doc::get_text(doc, config::PERIOD)?,
            population,
            doc::get_text(doc, config::FORM)?,
        ],
    )?;
    Ok(())
}

fn response(tx: &Transaction<'_>, forms: &BTreeMap<String, Form>, read: &Response) -> Result<()> {
    let key = read.id.to_string();
    let form = forms.get(&read.form);
    let method = form
        .map(|f| f.method.code().to_string())
        .or(read.method.clone())
        .unwrap_or_default();
    let (created_at, updated_at): (i64, i64) = tx.query_row(
        "SELECT MIN(time), MAX(time) FROM changes WHERE doc = ?1",
        [&key],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;

    tx.execute("DELETE FROM answers WHERE response = ?1", [&key])?;
    tx.execute("DELETE FROM conflicts WHERE response = ?1", [&key])?;

    for (item, value) in &read.answers {
        tx.execute(
            "INSERT INTO answers (response, item, value) VALUES (?1, ?2, ?3)",
            params![key, item, value],
        )?;
    }
    let scores = form.map(|form| read.scores(form)).unwrap_or_default();
    for (item, values) in &read.conflicts {
        tx.execute(
            "INSERT INTO conflicts (response, field, vals) VALUES (?1, ?2, ?3)",
            params![
                key,
                item,
                serde_json::to_string(values).expect("plain data")
            ],
        )?;
    }
    let service = read.service();

    tx.execute(
        "INSERT OR REPLACE INTO responses (id, form, method, unit, period, channel, serial, service,
             status, deleted, conflicts, created_at, updated_at,
             s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, review, review_note,
             enumerator)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
             ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29,
             ?30)",
        params![
            key,
            read.form,
            method,
            read.unit,
            read.period,
            read.channel,
            read.serial,
            service,
            read.status,
            read.deleted,
            read.conflicts.len() as i64,
            created_at,
            updated_at,
            scores[0],
            scores[1],
            scores[2],
            scores[3],
            scores[4],
            scores[5],
            scores[6],
            scores[7],
            scores[8],
            scores[9],
            scores[10],
            scores[11],
            scores[12],
            scores[13],
            read.review.code(),
            read.review_note,
            read.created_by,
        ],
    )?;
    Ok(())
}

/// Reads every document again when a migration asked for it (a new materialised column), in
/// one transaction, and clears the request. Returns whether it did. Costs one read otherwise.
pub fn again_if_asked(conn: &mut Connection, forms: &BTreeMap<String, Form>) -> Result<bool> {
    let asked = |conn: &Connection| -> Result<bool> {
        Ok(
            conn.query_row("SELECT EXISTS (SELECT 1 FROM rematerialise)", [], |row| {
                row.get(0)
            })?,
        )
    };
    if !asked(conn)? {
        return Ok(false);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another connection may have done it while this one waited for the lock.
    if !asked(&tx)? {
        return Ok(false);
    }
    {
        let mut stored = tx.prepare("SELECT id, bytes FROM documents")?;
        let mut rows = stored.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let Ok(id) = Uuid::parse_str(&id) else {
                continue;
            };
            let bytes: Vec<u8> = row.get(1)?;
            let doc = Automerge::load(&bytes)?;
            document(&tx, forms, id, &doc)?;
        }
    }
    tx.execute("DELETE FROM rematerialise", [])?;
    tx.commit()?;
    Ok(true)
}
