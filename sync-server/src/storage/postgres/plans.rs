//! Follow-up plans, the report's narrative and what a unit did about its respondents'
//! suggestions (schema 5), in PostgreSQL.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use postgres::GenericClient;
use uuid::Uuid;

use super::PostgresStorage;
use crate::Result;
use crate::model::{Name, PeriodCode, UnitCode};
use crate::plan::{
    Changed, FollowUp, NarrativeField, Plan, PlanItem, Quarter, StoredPlan, check_follow_ups,
};
use crate::saran::{Mark, StoredMark};
use crate::storage::Plans;

impl Plans for PostgresStorage {
    fn plan(&self, unit: &UnitCode, period: &PeriodCode) -> Result<Option<StoredPlan>> {
        read_plan(&mut *self.client()?, unit, period.as_str())
    }

    fn previous_plan(&self, unit: &UnitCode, period: &PeriodCode) -> Result<Option<StoredPlan>> {
        let mut client = self.client()?;
        match previous_period(&mut *client, unit, period)? {
            Some(previous) => read_plan(&mut *client, unit, &previous),
            None => Ok(None),
        }
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
        let (code, period_code) = (unit.as_str(), period.as_str());
        self.write(|tx| {
            // Two supervisors saving the same unit's plans at once take turns, so the
            // follow-ups are checked against the previous plan as it is when they land.
            tx.execute("SELECT 1 FROM units WHERE code = $1 FOR UPDATE", &[&code])?;
            let previous = previous_period(tx, unit, period)?;
            let previous_items = match &previous {
                Some(previous) => Some(item_count(tx, code, previous)?),
                None => None,
            };
            check_follow_ups(follow_ups, previous_items)?;
            tx.execute(
                "INSERT INTO plans (unit, period, fkp_date, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (unit, period) DO UPDATE SET fkp_date = excluded.fkp_date,
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                &[&code, &period_code, &plan.fkp_date, &by.as_str(), &now],
            )?;
            tx.execute(
                "DELETE FROM plan_items WHERE unit = $1 AND period = $2",
                &[&code, &period_code],
            )?;
            let insert = tx.prepare(
                "INSERT INTO plan_items (unit, period, no, unsur, program, quarters, responsible)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )?;
            for (i, item) in plan.items.iter().enumerate() {
                let quarters: Vec<&str> = item.quarters.iter().map(|q| q.code()).collect();
                tx.execute(
                    &insert,
                    &[
                        &code,
                        &period_code,
                        &(i as i32 + 1),
                        &item.unsur,
                        &item.program,
                        &quarters.join(","),
                        &item.responsible,
                    ],
                )?;
            }
            if let Some(previous) = &previous {
                let upsert = tx.prepare(
                    "INSERT INTO plan_follow_ups
                         (unit, period, no, done, description, updated_by, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (unit, period, no) DO UPDATE SET done = excluded.done,
                         description = excluded.description,
                         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )?;
                for follow_up in follow_ups {
                    tx.execute(
                        &upsert,
                        &[
                            &code,
                            previous,
                            &(follow_up.no as i32),
                            &follow_up.done,
                            &follow_up.description,
                            &by.as_str(),
                            &now,
                        ],
                    )?;
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
        let rows = self.client()?.query(
            "SELECT field, text, updated_by, updated_at FROM narratives
             WHERE unit = $1 AND period = $2 ORDER BY field COLLATE \"C\"",
            &[&unit.as_str(), &period.as_str()],
        )?;
        Ok(rows
            .iter()
            // A field a later release added and this one does not know is left out.
            .filter_map(|row| {
                let field = NarrativeField::parse(row.get(0))?;
                Some((field, row.get(1), changed(row.get(2), row.get(3))))
            })
            .collect())
    }

    fn put_narrative(
        &self,
        unit: &UnitCode,
        period: &PeriodCode,
        changes: &[(NarrativeField, Option<String>)],
        by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (unit, period) = (unit.as_str(), period.as_str());
        self.write(|tx| {
            for (field, text) in changes {
                match text {
                    Some(text) => tx.execute(
                        "INSERT INTO narratives (unit, period, field, text, updated_by, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (unit, period, field) DO UPDATE SET text = excluded.text,
                             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                        &[&unit, &period, &field.key(), text, &by.as_str(), &now],
                    )?,
                    None => tx.execute(
                        "DELETE FROM narratives WHERE unit = $1 AND period = $2 AND field = $3",
                        &[&unit, &period, &field.key()],
                    )?,
                };
            }
            Ok(())
        })
    }

    fn unit_periods(&self, unit: &UnitCode) -> Result<Vec<String>> {
        Ok(self
            .client()?
            .query(
                "SELECT period COLLATE \"C\" FROM responses WHERE unit = $1
                 UNION SELECT period FROM plans WHERE unit = $1 ORDER BY 1",
                &[&unit.as_str()],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect())
    }

    fn saran_marks(&self, unit: &UnitCode) -> Result<HashMap<Uuid, StoredMark>> {
        let rows = self.client()?.query(
            "SELECT response, followed_up, rtl_item, updated_by, updated_at
             FROM saran_marks WHERE unit = $1",
            &[&unit.as_str()],
        )?;
        Ok(rows
            .iter()
            .map(|row| {
                let mark = Mark {
                    followed_up: row.get(1),
                    rtl_item: row
                        .get::<_, Option<i64>>(2)
                        .and_then(|item| u32::try_from(item).ok()),
                };
                let changed = changed(row.get(3), row.get(4));
                (row.get(0), StoredMark { mark, changed })
            })
            .collect())
    }

    fn put_saran_mark(
        &self,
        unit: &UnitCode,
        response: Uuid,
        mark: Mark,
        by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.client()?.execute(
            "INSERT INTO saran_marks (response, unit, followed_up, rtl_item, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (response) DO UPDATE SET followed_up = excluded.followed_up,
                 rtl_item = excluded.rtl_item, updated_by = excluded.updated_by,
                 updated_at = excluded.updated_at",
            &[
                &response,
                &unit.as_str(),
                &mark.followed_up,
                &mark.rtl_item.map(i64::from),
                &by.as_str(),
                &now,
            ],
        )?;
        Ok(())
    }
}

fn changed(by: String, at: DateTime<Utc>) -> Changed {
    Changed { by, at }
}

fn previous_period(
    client: &mut impl GenericClient,
    unit: &UnitCode,
    period: &PeriodCode,
) -> Result<Option<String>> {
    Ok(client
        .query_one(
            "SELECT MAX(period) FROM plans WHERE unit = $1 AND period < $2",
            &[&unit.as_str(), &period.as_str()],
        )?
        .get(0))
}

fn item_count(client: &mut impl GenericClient, unit: &str, period: &str) -> Result<usize> {
    let count: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM plan_items WHERE unit = $1 AND period = $2",
            &[&unit, &period],
        )?
        .get(0);
    Ok(count as usize)
}

fn read_plan(
    client: &mut impl GenericClient,
    unit: &UnitCode,
    period: &str,
) -> Result<Option<StoredPlan>> {
    let Some(head) = client.query_opt(
        "SELECT fkp_date, updated_by, updated_at FROM plans WHERE unit = $1 AND period = $2",
        &[&unit.as_str(), &period],
    )?
    else {
        return Ok(None);
    };
    let rows = client.query(
        "SELECT i.unsur, i.program, i.quarters, i.responsible,
                f.done, f.description, f.updated_by, f.updated_at
         FROM plan_items i LEFT JOIN plan_follow_ups f
           ON f.unit = i.unit AND f.period = i.period AND f.no = i.no
         WHERE i.unit = $1 AND i.period = $2 ORDER BY i.no",
        &[&unit.as_str(), &period],
    )?;
    let mut items = Vec::with_capacity(rows.len());
    let mut follow_ups = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let quarters: &str = row.get(2);
        items.push(PlanItem {
            unsur: row.get(0),
            program: row.get(1),
            quarters: quarters.split(',').filter_map(Quarter::parse).collect(),
            responsible: row.get(3),
        });
        follow_ups.push(row.get::<_, Option<bool>>(4).map(|done| {
            (
                FollowUp {
                    no: i + 1,
                    done,
                    description: row.get(5),
                },
                changed(row.get(6), row.get(7)),
            )
        }));
    }
    Ok(Some(StoredPlan {
        period: period.to_string(),
        plan: Plan {
            fkp_date: head.get(0),
            items,
        },
        changed: changed(head.get(1), head.get(2)),
        follow_ups,
    }))
}
