//! Follow-up plans and the report's narrative (schema 6), and what a unit did about its
//! respondents' suggestions (schema 9), in SQLite.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use uuid::Uuid;

use super::{SqliteStorage, doc_id, unreadable};
use crate::model::{Name, PeriodCode, UnitCode};
use crate::plan::{
    Changed, FollowUp, NarrativeField, Plan, PlanItem, Quarter, StoredPlan, check_follow_ups,
};
use crate::saran::{Mark, StoredMark};
use crate::storage::Plans;
use crate::{Error, Result};

impl Plans for SqliteStorage {
    fn plan(&self, unit: &UnitCode, period: &PeriodCode) -> Result<Option<StoredPlan>> {
        self.read(|conn| read_plan(conn, unit, period.as_str()))
    }

    fn previous_plan(&self, unit: &UnitCode, period: &PeriodCode) -> Result<Option<StoredPlan>> {
        self.read(|conn| match previous_period(conn, unit, period)? {
            Some(previous) => read_plan(conn, unit, &previous),
            None => Ok(None),
        })
    }

    fn put_plan(
        &self,
        unit: &UnitCode,
        period: &PeriodCode,
        plan: &Plan,
        follow_ups: &[FollowUp],
        by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let at = now.timestamp_millis();
        self.write(|tx| {
            let previous = previous_period(tx, unit, period)?;
            let previous_items = match &previous {
                Some(previous) => Some(item_count(tx, unit, previous)?),
                None => None,
            };
            check_follow_ups(follow_ups, previous_items)?;
            tx.execute(
                "INSERT INTO plans (unit, period, fkp_date, updated_by, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (unit, period) DO UPDATE SET fkp_date = excluded.fkp_date,
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                params![
                    unit.as_str(),
                    period.as_str(),
                    plan.fkp_date.map(|day| day.to_string()),
                    by.as_str(),
                    at
                ],
            )?;
            tx.execute(
                "DELETE FROM plan_items WHERE unit = ?1 AND period = ?2",
                params![unit.as_str(), period.as_str()],
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO plan_items (unit, period, no, unsur, program, quarters, responsible)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (i, item) in plan.items.iter().enumerate() {
                let quarters: Vec<&str> = item.quarters.iter().map(|q| q.code()).collect();
                insert.execute(params![
                    unit.as_str(),
                    period.as_str(),
                    i as i64 + 1,
                    item.unsur,
                    item.program,
                    quarters.join(","),
                    item.responsible
                ])?;
            }
            if let Some(previous) = &previous {
                let mut upsert = tx.prepare_cached(
                    "INSERT INTO plan_follow_ups
                         (unit, period, no, done, description, updated_by, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (unit, period, no) DO UPDATE SET done = excluded.done,
                         description = excluded.description,
                         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )?;
                for follow_up in follow_ups {
                    upsert.execute(params![
                        unit.as_str(),
                        previous,
                        follow_up.no as i64,
                        follow_up.done,
                        follow_up.description,
                        by.as_str(),
                        at
                    ])?;
                }
            }
            Ok(())
        })
    }

    fn narrative(
        &self,
        unit: &UnitCode,
        period: &PeriodCode,
    ) -> Result<Vec<(NarrativeField, String, Changed)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT field, text, updated_by, updated_at FROM narratives
                 WHERE unit = ?1 AND period = ?2 ORDER BY field",
            )?;
            let rows = stmt.query_map(params![unit.as_str(), period.as_str()], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    changed(row.get(2)?, row.get(3)?),
                ))
            })?;
            let mut parts = Vec::new();
            for row in rows {
                let (field, text, changed) = row?;
                // A field a later release added and this one does not know is left out.
                if let Some(field) = NarrativeField::parse(&field) {
                    parts.push((field, text, changed));
                }
            }
            Ok(parts)
        })
    }

    fn put_narrative(
        &self,
        unit: &UnitCode,
        period: &PeriodCode,
        changes: &[(NarrativeField, Option<String>)],
        by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let at = now.timestamp_millis();
        self.write(|tx| {
            for (field, text) in changes {
                match text {
                    Some(text) => tx.execute(
                        "INSERT INTO narratives (unit, period, field, text, updated_by, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (unit, period, field) DO UPDATE SET text = excluded.text,
                             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                        params![
                            unit.as_str(),
                            period.as_str(),
                            field.key(),
                            text,
                            by.as_str(),
                            at
                        ],
                    )?,
                    None => tx.execute(
                        "DELETE FROM narratives WHERE unit = ?1 AND period = ?2 AND field = ?3",
                        params![unit.as_str(), period.as_str(), field.key()],
                    )?,
                };
            }
            Ok(())
        })
    }

    fn unit_periods(&self, unit: &UnitCode) -> Result<Vec<String>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT period FROM responses WHERE unit = ?1
                 UNION SELECT period FROM plans WHERE unit = ?1 ORDER BY 1",
            )?;
            let rows = stmt.query_map([unit.as_str()], |row| row.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn saran_marks(&self, unit: &UnitCode) -> Result<HashMap<Uuid, StoredMark>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT response, followed_up, rtl_item, updated_by, updated_at
                 FROM saran_marks WHERE unit = ?1",
            )?;
            let mut rows = stmt.query([unit.as_str()])?;
            let mut marks = HashMap::new();
            while let Some(row) = rows.next()? {
                let mark = Mark {
                    followed_up: row.get(1)?,
                    rtl_item: row.get(2)?,
                };
                let changed = changed(row.get(3)?, row.get(4)?);
                marks.insert(doc_id(row, 0)?, StoredMark { mark, changed });
            }
            Ok(marks)
        })
    }

    fn put_saran_mark(
        &self,
        unit: &UnitCode,
        response: Uuid,
        mark: Mark,
        by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO saran_marks (response, unit, followed_up, rtl_item, updated_by, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (response) DO UPDATE SET followed_up = excluded.followed_up,
                     rtl_item = excluded.rtl_item, updated_by = excluded.updated_by,
                     updated_at = excluded.updated_at",
                params![
                    response.to_string(),
                    unit.as_str(),
                    mark.followed_up,
                    mark.rtl_item,
                    by.as_str(),
                    now.timestamp_millis()
                ],
            )?;
            Ok(())
        })
    }
}

fn changed(by: String, at: i64) -> Changed {
    Changed {
        by,
        at: DateTime::from_timestamp_millis(at).unwrap_or_default(),
    }
}

fn previous_period(
    conn: &Connection,
    unit: &UnitCode,
    period: &PeriodCode,
) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT MAX(period) FROM plans WHERE unit = ?1 AND period < ?2",
            params![unit.as_str(), period.as_str()],
            |row| row.get(0),
        )
        .optional()?
        .flatten())
}

fn item_count(conn: &Connection, unit: &UnitCode, period: &str) -> Result<usize> {
    let count: i64 = conn.query_row(
        "SELECT COUNT(*) FROM plan_items WHERE unit = ?1 AND period = ?2",
        params![unit.as_str(), period],
        |row| row.get(0),
    )?;
    Ok(count as usize)
}

fn read_plan(conn: &Connection, unit: &UnitCode, period: &str) -> Result<Option<StoredPlan>> {
    let Some((fkp_date, by, at)) = conn
        .query_row(
            "SELECT fkp_date, updated_by, updated_at FROM plans WHERE unit = ?1 AND period = ?2",
            params![unit.as_str(), period],
            |row| {
                Ok((
                    row.get::<_, Option<String>>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let fkp_date = fkp_date
        .map(|day| {
            day.parse::<NaiveDate>()
                .map_err(|error| Error::Sqlite(unreadable(0, error)))
        })
        .transpose()?;
    let mut stmt = conn.prepare_cached(
        "SELECT i.unsur, i.program, i.quarters, i.responsible,
                f.done, f.description, f.updated_by, f.updated_at
         FROM plan_items i LEFT JOIN plan_follow_ups f
           ON f.unit = i.unit AND f.period = i.period AND f.no = i.no
         WHERE i.unit = ?1 AND i.period = ?2 ORDER BY i.no",
    )?;
    let rows = stmt.query_map(params![unit.as_str(), period], |row| {
        let quarters: String = row.get(2)?;
        let item = PlanItem {
            unsur: row.get(0)?,
            program: row.get(1)?,
            quarters: quarters.split(',').filter_map(Quarter::parse).collect(),
            responsible: row.get(3)?,
        };
        let follow_up = match row.get::<_, Option<bool>>(4)? {
            Some(done) => Some((
                done,
                row.get::<_, String>(5)?,
                changed(row.get(6)?, row.get(7)?),
            )),
            None => None,
        };
        Ok((item, follow_up))
    })?;
    let mut items = Vec::new();
    let mut follow_ups = Vec::new();
    for (i, row) in rows.enumerate() {
        let (item, follow_up) = row?;
        items.push(item);
        follow_ups.push(follow_up.map(|(done, description, changed)| {
            (
                FollowUp {
                    no: i + 1,
                    done,
                    description,
                },
                changed,
            )
        }));
    }
    Ok(Some(StoredPlan {
        period: period.to_string(),
        plan: Plan { fkp_date, items },
        changed: changed(by, at),
        follow_ups,
    }))
}
