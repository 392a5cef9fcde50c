//! Reads: lists, one response in full, conflicts and the IKM — all from the materialised
//! tables, never from the documents.

use chrono::{DateTime, Utc};
use rusqlite::{Row, ToSql, params_from_iter};
use serde::Serialize;
use simpul_survey::{IkmReport, Method, UnsurTally, Weighting};
use uuid::Uuid;

use crate::doc::Written;
use crate::materialise::SCORE_SLOTS;
use crate::model::{Channel, Filter, Status, start_of_day};
use crate::{Error, Phrase, Replica, Result};
use simpul_document::review::ReviewState;

/// One row of a response list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub id: Uuid,
    pub form: String,
    pub method: String,
    pub unit: String,
    pub period: String,
    pub channel: String,
    pub serial: Option<String>,
    pub service: Option<String>,
    pub status: String,
    pub deleted: bool,
    /// Fields holding several values.
    pub conflicts: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// A supervisor's review, written on the server and received by sync.
    pub review: ReviewState,
    pub review_note: Option<String>,
}

/// One response in full: its summary, every answer in form order, and its conflicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Detail {
    #[serde(flatten)]
    pub summary: Summary,
    pub answers: Vec<AnswerRow>,
    /// In JSON `conflicting_fields`: the flattened summary already has a `conflicts` count,
    /// and an object with the key twice loses one of them in most readers.
    #[serde(rename = "conflicting_fields")]
    pub conflicts: Vec<Conflict>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnswerRow {
    pub item: String,
    pub value: Option<String>,
}

/// A field holding several concurrent values, each with who wrote it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub response: Uuid,
    pub serial: Option<String>,
    pub field: String,
    pub values: Vec<Option<String>>,
    pub written: Vec<Written>,
}

const SUMMARY_COLUMNS: &str = "id, form, method, unit, period, channel, serial, service, \
     status, deleted, conflicts, created_at, updated_at, review, review_note";

/// `WHERE` clause shared by every filtered read; parameters follow [`filter_params`], and a
/// query's own parameters start at `?13`.
const FILTER_SQL: &str = "(?1 IS NULL OR period = ?1) AND (?2 IS NULL OR unit = ?2) \
     AND (?3 IS NULL OR service = ?3) AND (?4 IS NULL OR channel = ?4) \
     AND (?5 IS NULL OR status = ?5) AND (?6 IS NULL OR (conflicts > 0) = ?6) \
     AND (?7 IS NULL OR method = ?7) AND (?8 OR deleted = 0) \
     AND (?9 IS NULL OR review = ?9) AND (?10 IS NULL OR enumerator = ?10) \
     AND (?11 IS NULL OR created_at >= ?11) AND (?12 IS NULL OR created_at < ?12)";

/// What the IKM counts besides the filter: a rejected response leaves it, as a deleted one
/// does.
const COUNTED_SQL: &str = "review != 'rejected'";

fn filter_params(filter: &Filter) -> Vec<Box<dyn ToSql>> {
    vec![
        Box::new(filter.period.clone()),
        Box::new(filter.unit.clone()),
        Box::new(filter.service.clone()),
        Box::new(filter.channel.map(Channel::code)),
        Box::new(filter.status.map(Status::code)),
        Box::new(filter.has_conflict),
        Box::new(filter.method.map(Method::code)),
        Box::new(filter.include_deleted),
        Box::new(filter.review.map(ReviewState::code)),
        Box::new(filter.enumerator.clone()),
        Box::new(filter.from.map(start_of_day)),
        // Up to the end of the day: before the next one starts.
        Box::new(filter.to.and_then(|day| day.succ_opt()).map(start_of_day)),
    ]
}

/// How many responses gave one value to an item (`None`: left unanswered).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub value: Option<String>,
    pub count: u64,
}

impl Replica {
    /// Responses matching `filter`, oldest first.
    pub fn list(&self, filter: &Filter) -> Result<Vec<Summary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM responses WHERE {FILTER_SQL} ORDER BY created_at, id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(filter_params(filter)), summary)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn count(&self, filter: &Filter) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM responses WHERE {FILTER_SQL}");
        let n: i64 = self
            .conn
            .query_row(&sql, params_from_iter(filter_params(filter)), |row| {
                row.get(0)
            })?;
        Ok(n as u64)
    }

    /// Responses matching `filter` created at or after `since`: "captured today".
    pub fn count_since(&self, filter: &Filter, since: DateTime<Utc>) -> Result<u64> {
        let sql =
            format!("SELECT COUNT(*) FROM responses WHERE {FILTER_SQL} AND created_at >= ?13");
        let mut params = filter_params(filter);
        params.push(Box::new(since.timestamp_millis()));
        let n: i64 = self
            .conn
            .query_row(&sql, params_from_iter(params), |row| row.get(0))?;
        Ok(n as u64)
    }

    /// The answers to `item` among the responses matching `filter`, grouped by value, most
    /// frequent first: the respondent profile of a report (gender, education, …).
    pub fn tally(&self, item: &str, filter: &Filter) -> Result<Vec<Tally>> {
        let sql = format!(
            "SELECT value, COUNT(*) FROM answers WHERE item = ?13
             AND response IN (SELECT id FROM responses WHERE {FILTER_SQL} AND {COUNTED_SQL})
             GROUP BY value ORDER BY COUNT(*) DESC, value"
        );
        let mut params = filter_params(filter);
        params.push(Box::new(item.to_string()));
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(params), |row| {
            Ok(Tally {
                value: row.get(0)?,
                count: row.get::<_, i64>(1)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether some change to response `id` has not reached the server yet.
    pub fn unsynced(&self, id: Uuid) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM changes WHERE doc = ?1 AND uploaded = 0)",
            [id.to_string()],
            |row| row.get(0),
        )?)
    }

    /// Every survey period among the responses not deleted, newest code first.
    pub fn periods(&self) -> Result<Vec<String>> {
        self.distinct("period", "period DESC")
    }

    /// Every service received (`layanan`) among the responses not deleted, by name.
    pub fn services(&self) -> Result<Vec<String>> {
        self.distinct("service", "service")
    }

    fn distinct(&self, column: &str, order: &str) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT DISTINCT {column} FROM responses
             WHERE deleted = 0 AND {column} IS NOT NULL ORDER BY {order}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One response with every answer (in its form's order) and every conflict.
    pub fn show(&self, id: Uuid) -> Result<Detail> {
        let key = id.to_string();
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM responses WHERE id = ?1");
        let summary = self
            .conn
            .query_row(&sql, [&key], summary)
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Error::UnknownResponse(key.clone()),
                other => other.into(),
            })?;
        let mut stmt = self
            .conn
            .prepare("SELECT item, value FROM answers WHERE response = ?1")?;
        let mut answers: Vec<AnswerRow> = stmt
            .query_map([&key], |row| {
                Ok(AnswerRow {
                    item: row.get(0)?,
                    value: row.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        if let Some(form) = self.forms.get(&summary.form) {
            let position = |item: &str| form.items.iter().position(|i| i.id == item);
            answers.sort_by_key(|a| position(&a.item).unwrap_or(usize::MAX));
        }
        let conflicts = self.conflicts_where("c.response = ?1", &[&key])?;
        Ok(Detail {
            summary,
            answers,
            conflicts,
        })
    }

    /// Every field holding several values among the responses matching `filter`.
    pub fn conflicts(&self, filter: &Filter) -> Result<Vec<Conflict>> {
        let sql = format!("c.response IN (SELECT id FROM responses WHERE {FILTER_SQL})");
        let params = filter_params(filter);
        let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
        self.conflicts_where(&sql, &refs)
    }

    fn conflicts_where(&self, condition: &str, params: &[&dyn ToSql]) -> Result<Vec<Conflict>> {
        let sql = format!(
            "SELECT c.response, r.serial, c.field, c.vals FROM conflicts c
             JOIN responses r ON r.id = c.response WHERE {condition}
             ORDER BY r.serial, c.response, c.field"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let response: String = row.get(0)?;
            let vals: String = row.get(3)?;
            let written: Vec<Written> =
                serde_json::from_str(&vals).map_err(|_| Error::InvalidValue {
                    what: Phrase::new("konflik tersimpan", "stored conflict"),
                    value: vals.clone(),
                    reason: Phrase::new(
                        "bukan JSON yang ditulis program ini",
                        "not the JSON this program writes",
                    ),
                })?;
            out.push(Conflict {
                response: crate::apply::parse_uuid(&response)?,
                serial: row.get(1)?,
                field: row.get(2)?,
                values: written.iter().map(|w| w.value.clone()).collect(),
                written,
            });
        }
        Ok(out)
    }

    /// The IKM over the final, not deleted responses matching `filter`. Drafts are not
    /// completed questionnaires and never count. When the matching responses were collected
    /// under several methods the caller must pick one (`filter.method`): their indices are not
    /// comparable.
    pub fn report(&self, filter: &Filter, weighting: Weighting) -> Result<IkmReport> {
        let filter = Filter {
            status: Some(Status::Final),
            include_deleted: false,
            ..filter.clone()
        };
        // One scan gives the tallies and the methods they come from (one when min = max);
        // finding the method in a scan of its own made the IKM 40 % slower (docs/benchmarks.md).
        let aggregates: String = (1..=SCORE_SLOTS)
            .map(|i| format!(", SUM(s{i}), COUNT(s{i})"))
            .collect();
        let sql = format!(
            "SELECT MIN(method), MAX(method), COUNT(*){aggregates} FROM responses \
             WHERE {FILTER_SQL} AND {COUNTED_SQL}"
        );
        let (first, last, n, slots) =
            self.conn
                .query_row(&sql, params_from_iter(filter_params(&filter)), |row| {
                    let mut slots = [(0u64, 0u64); SCORE_SLOTS];
                    for (i, slot) in slots.iter_mut().enumerate() {
                        let total: Option<i64> = row.get(3 + 2 * i)?;
                        let answered: i64 = row.get(4 + 2 * i)?;
                        *slot = (total.unwrap_or(0) as u64, answered as u64);
                    }
                    let n: i64 = row.get(2)?;
                    let first: Option<String> = row.get(0)?;
                    let last: Option<String> = row.get(1)?;
                    Ok((first, last, n as u64, slots))
                })?;
        let method = match (first, last) {
            (Some(first), Some(last)) if first == last => Method::parse(&first)?,
            (Some(_), Some(_)) => {
                return Err(Error::MixedMethods(self.methods(&filter)?));
            }
            // Nothing matches: the filter's method, else the active form's.
            _ => match filter.method {
                Some(method) => method,
                None => self.form(None)?.method,
            },
        };
        let tallies: Vec<UnsurTally> = method
            .unsur()
            .iter()
            .zip(slots)
            .map(|(unsur, (total, n))| UnsurTally {
                id: unsur.id.to_string(),
                total,
                n,
            })
            .collect();
        Ok(simpul_survey::compute(method, weighting, n, &tallies))
    }

    /// Every method among the responses matching `filter`, for the error that names them.
    fn methods(&self, filter: &Filter) -> Result<Vec<Method>> {
        let sql = format!(
            "SELECT DISTINCT method FROM responses WHERE {FILTER_SQL} AND {COUNTED_SQL} ORDER BY method"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let codes: Vec<String> = stmt
            .query_map(params_from_iter(filter_params(filter)), |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        codes.iter().map(|code| Ok(Method::parse(code)?)).collect()
    }
}

fn summary(row: &Row<'_>) -> rusqlite::Result<Summary> {
    let id: String = row.get(0)?;
    let time = |i| -> rusqlite::Result<DateTime<Utc>> {
        let ms: i64 = row.get(i)?;
        Ok(DateTime::from_timestamp_millis(ms).unwrap_or_default())
    };
    Ok(Summary {
        id: Uuid::parse_str(&id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        form: row.get(1)?,
        method: row.get(2)?,
        unit: row.get(3)?,
        period: row.get(4)?,
        channel: row.get(5)?,
        serial: row.get(6)?,
        service: row.get(7)?,
        status: row.get(8)?,
        deleted: row.get(9)?,
        conflicts: row.get(10)?,
        created_at: time(11)?,
        updated_at: time(12)?,
        review: {
            let code: String = row.get(13)?;
            ReviewState::parse(&code).unwrap_or_default()
        },
        review_note: row.get(14)?,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, Utc};

    use super::*;
    use crate::{Author, NewResponse, PaperSerial};

    fn replica() -> (tempfile::TempDir, Replica) {
        crate::testing::replica("tablet")
    }

    fn sheet(serial: &str, gender: &str, hours_ago: i64) -> NewResponse {
        let mut answers: Vec<(String, String)> =
            (1..=9).map(|u| (format!("U{u}"), "3".into())).collect();
        answers.push(("jenis_kelamin".into(), gender.into()));
        NewResponse {
            channel: Channel::Paper,
            form: None,
            unit: None,
            period: None,
            serial: Some(PaperSerial::parse(serial).unwrap()),
            answers,
            status: Status::Final,
            author: Author::new("Sari", Utc::now() - TimeDelta::hours(hours_ago)),
        }
    }

    #[test]
    fn a_tally_groups_answers_and_a_count_since_leaves_older_ones_out() {
        let (_dir, mut replica) = replica();
        replica.capture(sheet("1", "P", 0)).unwrap();
        replica.capture(sheet("2", "P", 30)).unwrap();
        replica.capture(sheet("3", "L", 0)).unwrap();
        let tally = replica.tally("jenis_kelamin", &Filter::default()).unwrap();
        let counts: Vec<(Option<&str>, u64)> = tally
            .iter()
            .map(|t| (t.value.as_deref(), t.count))
            .collect();
        assert_eq!(counts, [(Some("P"), 2), (Some("L"), 1)]);
        let since = Utc::now() - TimeDelta::hours(1);
        assert_eq!(replica.count_since(&Filter::default(), since).unwrap(), 2);
        assert_eq!(replica.periods().unwrap(), ["2025-S1"]);
    }

    #[test]
    fn a_response_is_unsynced_until_the_server_acknowledges_its_changes() {
        let (_dir, mut replica) = replica();
        let id = replica.capture(sheet("1", "P", 0)).unwrap().id();
        assert!(replica.unsynced(id).unwrap());
        replica
            .conn
            .execute("UPDATE changes SET uploaded = 1", [])
            .unwrap();
        assert!(!replica.unsynced(id).unwrap());
    }
}
