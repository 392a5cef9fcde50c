//! The materialised tables — `responses`, `answers`, `conflicts` — read straight from a
//! replica's or the server's SQLite file, read-only, and compared on the columns both sides
//! have. The commands print only part of these rows; reading the files checks every column,
//! including the ones lists and reports are computed from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

/// Differences listed in a failure message before the rest are only counted.
const SHOWN_DIFFERENCES: usize = 20;

/// One unit's materialised rows, as one replica (or the server) holds them.
#[derive(Clone, Debug)]
pub struct Tables {
    /// Whose tables these are, for messages.
    pub source: String,
    /// The columns of `responses` in this file.
    pub columns: BTreeSet<String>,
    /// Every row of `responses` by id: column → value.
    pub responses: BTreeMap<String, BTreeMap<String, Value>>,
    /// `(response, item)` → the answer.
    pub answers: BTreeMap<(String, String), Option<String>>,
    /// `(response, field)` → the values it holds (`vals`, parsed).
    pub conflicts: BTreeMap<(String, String), Value>,
}

impl Tables {
    /// Reads `unit`'s rows from the database at `path` without writing to it; the program
    /// that owns it may be running.
    pub fn read(source: &str, path: &Path, unit: &str) -> Tables {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .unwrap_or_else(|e| panic!("{source}: {} opens read-only: {e}", path.display()));
        conn.busy_timeout(Duration::from_secs(10))
            .expect("a busy timeout");
        // One read transaction, so the three tables are one moment's.
        conn.execute_batch("BEGIN").expect("a read transaction");
        let read = |what: &str, e: rusqlite::Error| -> ! { panic!("{source}: {what}: {e}") };

        let mut statement = conn
            .prepare("SELECT * FROM responses WHERE unit = ?1")
            .unwrap_or_else(|e| read("responses", e));
        let columns: Vec<String> = statement.column_names().map(str::to_string).collect();
        let mut responses = BTreeMap::new();
        let mut rows = statement
            .query([unit])
            .unwrap_or_else(|e| read("responses", e));
        while let Some(row) = rows.next().unwrap_or_else(|e| read("responses", e)) {
            let mut values = BTreeMap::new();
            for (i, column) in columns.iter().enumerate() {
                let value = row.get_ref(i).unwrap_or_else(|e| read(column, e));
                values.insert(column.clone(), json(value));
            }
            let id = values["id"].as_str().expect("a text id").to_string();
            responses.insert(id, values);
        }

        let in_unit = "response IN (SELECT id FROM responses WHERE unit = ?1)";
        // A device keeps a row per answer; the server one JSON object per response.
        let per_response = conn.prepare("SELECT items FROM answers LIMIT 0").is_ok();
        let answers: BTreeMap<(String, String), Option<String>> = if per_response {
            conn.prepare(&format!(
                "SELECT response, items FROM answers WHERE {in_unit}"
            ))
            .and_then(|mut s| {
                s.query_map([unit], |row| Ok((row.get(0)?, row.get::<_, String>(1)?)))?
                    .collect::<Result<Vec<(String, String)>, _>>()
            })
            .unwrap_or_else(|e| read("answers", e))
            .into_iter()
            .flat_map(|(response, items)| {
                let items: BTreeMap<String, Option<String>> = serde_json::from_str(&items)
                    .unwrap_or_else(|e| panic!("{source}: answers of {response}: {e}"));
                items
                    .into_iter()
                    .map(move |(item, value)| ((response.clone(), item), value))
            })
            .collect()
        } else {
            conn.prepare(&format!(
                "SELECT response, item, value FROM answers WHERE {in_unit}"
            ))
            .and_then(|mut s| {
                s.query_map([unit], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))?
                    .collect::<Result<BTreeMap<_, _>, _>>()
            })
            .unwrap_or_else(|e| read("answers", e))
        };
        let conflicts = conn
            .prepare(&format!(
                "SELECT response, field, vals FROM conflicts WHERE {in_unit}"
            ))
            .and_then(|mut s| {
                s.query_map([unit], |row| {
                    let vals: String = row.get(2)?;
                    Ok(((row.get(0)?, row.get(1)?), vals))
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .unwrap_or_else(|e| read("conflicts", e))
            .into_iter()
            .map(|(key, vals)| {
                let parsed = serde_json::from_str(&vals)
                    .unwrap_or_else(|e| panic!("{source}: conflict {key:?} holds {vals:?}: {e}"));
                (key, parsed)
            })
            .collect();
        Tables {
            source: source.to_string(),
            columns: columns.into_iter().collect(),
            responses,
            answers,
            conflicts,
        }
    }

    /// Reads `unit`'s rows from the server's PostgreSQL database at `url`, in one snapshot,
    /// as [`Tables::read`] reads a SQLite file: booleans as SQLite keeps them (0 or 1), ids
    /// and answers as text.
    pub fn read_postgres(source: &str, url: &str, unit: &str) -> Tables {
        let read = |what: &str, e: postgres::Error| -> ! { panic!("{source}: {what}: {e}") };
        // The test reads in plain TCP, which the throwaway cluster allows beside TLS: the
        // address's TLS options (`sslrootcert`) are for the server, not this driver.
        let plain = url.split('?').next().unwrap_or(url);
        let mut client = postgres::Client::connect(plain, postgres::NoTls)
            .unwrap_or_else(|e| read("connect", e));
        let mut tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .unwrap_or_else(|e| read("a read transaction", e));
        let columns: BTreeSet<String> = tx
            .query(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = 'responses'",
                &[],
            )
            .unwrap_or_else(|e| read("columns", e))
            .iter()
            .map(|row| row.get(0))
            .collect();
        let responses = tx
            .query(
                "SELECT row_to_json(r)::text FROM responses r WHERE unit = $1",
                &[&unit],
            )
            .unwrap_or_else(|e| read("responses", e))
            .iter()
            .map(|row| {
                let object: BTreeMap<String, Value> = serde_json::from_str(row.get(0))
                    .unwrap_or_else(|e| panic!("{source}: a response row: {e}"));
                let values: BTreeMap<String, Value> = object
                    .into_iter()
                    .map(|(column, value)| match value {
                        Value::Bool(b) => (column, Value::from(i64::from(b))),
                        other => (column, other),
                    })
                    .collect();
                let id = values["id"].as_str().expect("a text id").to_string();
                (id, values)
            })
            .collect();
        let in_unit = "JOIN responses r ON r.id = t.response WHERE r.unit = $1";
        let answers = tx
            .query(
                &format!("SELECT t.response::text, t.items::text FROM answers t {in_unit}"),
                &[&unit],
            )
            .unwrap_or_else(|e| read("answers", e))
            .iter()
            .flat_map(|row| {
                let response: String = row.get(0);
                let items: BTreeMap<String, Option<String>> = serde_json::from_str(row.get(1))
                    .unwrap_or_else(|e| panic!("{source}: answers of {response}: {e}"));
                items
                    .into_iter()
                    .map(move |(item, value)| ((response.clone(), item), value))
            })
            .collect();
        let conflicts = tx
            .query(
                &format!(
                    "SELECT t.response::text, t.field, t.vals::text FROM conflicts t {in_unit}"
                ),
                &[&unit],
            )
            .unwrap_or_else(|e| read("conflicts", e))
            .iter()
            .map(|row| {
                let key: (String, String) = (row.get(0), row.get(1));
                let parsed = serde_json::from_str(row.get(2))
                    .unwrap_or_else(|e| panic!("{source}: conflict {key:?}: {e}"));
                (key, parsed)
            })
            .collect();
        Tables {
            source: source.to_string(),
            columns,
            responses,
            answers,
            conflicts,
        }
    }

    /// The value of `column` in response `id`'s row.
    #[track_caller]
    pub fn get(&self, id: &str, column: &str) -> &Value {
        let row = self
            .responses
            .get(id)
            .unwrap_or_else(|| panic!("{}: no response {id}", self.source));
        row.get(column)
            .unwrap_or_else(|| panic!("{}: responses has no column {column}", self.source))
    }

    /// Every difference from `other`, comparing `responses` on the columns both have, one
    /// line each: `table[key].column: mine vs theirs`.
    pub fn differences(&self, other: &Tables) -> Vec<String> {
        let shared: Vec<&String> = self.columns.intersection(&other.columns).collect();
        let mut out = Vec::new();
        let ids: BTreeSet<&String> = self
            .responses
            .keys()
            .chain(other.responses.keys())
            .collect();
        for id in ids {
            match (self.responses.get(id), other.responses.get(id)) {
                (Some(mine), Some(theirs)) => {
                    for column in &shared {
                        if mine[*column] != theirs[*column] {
                            out.push(format!(
                                "responses[{id}].{column}: {} vs {}",
                                mine[*column], theirs[*column]
                            ));
                        }
                    }
                }
                (mine, _) => out.push(format!(
                    "responses[{id}]: only in {}",
                    if mine.is_some() {
                        &self.source
                    } else {
                        &other.source
                    }
                )),
            }
        }
        compare_maps("answers", &self.answers, &other.answers, &mut out, |v| {
            format!("{v:?}")
        });
        compare_maps(
            "conflicts",
            &self.conflicts,
            &other.conflicts,
            &mut out,
            Value::to_string,
        );
        out
    }
}

/// Asserts that every table in `others` equals `reference`'s, listing the differences.
#[track_caller]
pub fn assert_tables_equal(reference: &Tables, others: &[Tables]) {
    for other in others {
        let differences = reference.differences(other);
        if differences.is_empty() {
            continue;
        }
        let shown = differences.len().min(SHOWN_DIFFERENCES);
        panic!(
            "the materialised tables of {} and {} differ in {} places ({0}'s vs {1}'s):\n  {}{}",
            reference.source,
            other.source,
            differences.len(),
            differences[..shown].join("\n  "),
            if differences.len() > shown {
                format!("\n  … and {} more", differences.len() - shown)
            } else {
                String::new()
            }
        );
    }
}

fn compare_maps<V: PartialEq>(
    table: &str,
    mine: &BTreeMap<(String, String), V>,
    theirs: &BTreeMap<(String, String), V>,
    out: &mut Vec<String>,
    show: impl Fn(&V) -> String,
) {
    let keys: BTreeSet<&(String, String)> = mine.keys().chain(theirs.keys()).collect();
    for key @ (response, field) in keys {
        let (a, b) = (mine.get(key), theirs.get(key));
        if a != b {
            let side = |v: Option<&V>| v.map_or("absent".to_string(), &show);
            out.push(format!(
                "{table}[{response}, {field}]: {} vs {}",
                side(a),
                side(b)
            ));
        }
    }
}

fn json(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::from(format!("{} bytes", b.len())),
    }
}
