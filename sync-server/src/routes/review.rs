//! `/api/v1` reads for the review queue: a unit's responses, filtered (as a page, or every
//! one of them as CSV), and one response in full. Same rules as the rest of
//! [`api`](super::api): `401` without a session, `404` outside the person's scope.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use simpul_document::review::ReviewState;
use uuid::Uuid;

use crate::error::AppError;
use crate::export::{self, DEFAULT_FORM};
use crate::report::{Days, ReportFilter};
use crate::routes::api::{Access, SignedIn, on_unit, visible_response, visible_unit};
use crate::state::AppState;
use crate::storage::review::{QueueFilter, ResponseDetail, ResponseSummary};
use crate::workbook;
use crate::{Error, Result};

/// Lines one queue answer holds when the request does not say.
const DEFAULT_LIMIT: usize = 500;
/// Lines one queue answer holds at most.
const MAX_LIMIT: usize = 5_000;

/// The query of `GET /api/v1/units/CODE/responses`. An empty value matches everything, as
/// an HTML form sends an unset filter.
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    pub state: Option<String>,
    pub period: Option<String>,
    pub channel: Option<String>,
    pub service: Option<String>,
    /// Who captured the response.
    pub enumerator: Option<String>,
    /// Days as offices write them (`30/11/2026`) or `2026-11-30`, inclusive, on the
    /// server's calendar.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<usize>,
}

impl QueueQuery {
    fn parse(self) -> Result<QueueFilter> {
        let given = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        let review = given(self.state)
            .map(|raw| {
                ReviewState::parse(&raw)
                    .map(|state| state.code().to_string())
                    .ok_or(Error::InvalidValue {
                        what: "review state",
                        value: raw,
                        reason: "use received, has-issues, approved or rejected",
                    })
            })
            .transpose()?;
        let day = |raw: Option<String>| {
            given(raw)
                .map(|raw| {
                    simpul_survey::parse_day(&raw).ok_or(Error::InvalidValue {
                        what: "date",
                        value: raw,
                        reason: "write a day that exists, e.g. 30/11/2026",
                    })
                })
                .transpose()
        };
        Ok(QueueFilter {
            review,
            period: given(self.period),
            channel: given(self.channel),
            service: given(self.service),
            enumerator: given(self.enumerator),
            days: Days::new(day(self.from)?, day(self.to)?)?,
            limit: self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
        })
    }
}

/// `GET /api/v1/units/CODE/responses`: the review queue, newest first.
pub async fn unit_responses(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Vec<ResponseSummary>>, AppError> {
    let filter = query.parse()?;
    let rows = state
        .with_storage(move |storage| {
            let Some(unit) = visible_unit(storage, &signed.person, &code)? else {
                return Ok(None);
            };
            storage.responses(&unit, &filter).map(Some)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(rows))
}

/// `GET /api/v1/units/CODE/responses.csv`: every response the queue's filters select (no
/// page limit), as the CSV a device exports plus the review columns, formula-like cells
/// neutralised.
pub async fn unit_responses_csv(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<QueueQuery>,
) -> Result<Response, AppError> {
    queue_export(state, signed, code, query, QueueFile::Csv).await
}

/// `GET /api/v1/units/CODE/responses.xlsx`: the same rows and columns as the CSV, in a
/// spreadsheet of one Data sheet (scores and ages as numbers).
pub async fn unit_responses_xlsx(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<QueueQuery>,
) -> Result<Response, AppError> {
    queue_export(state, signed, code, query, QueueFile::Xlsx).await
}

/// The two files the queue exports.
#[derive(Clone, Copy)]
enum QueueFile {
    Csv,
    Xlsx,
}

async fn queue_export(
    state: AppState,
    signed: SignedIn,
    code: String,
    query: QueueQuery,
    file: QueueFile,
) -> Result<Response, AppError> {
    let filter = query.parse()?;
    let review = filter.review.clone();
    let selection = ReportFilter {
        period: filter.period,
        service: filter.service,
        channel: filter.channel,
        enumerator: filter.enumerator,
        days: filter.days,
    };
    let (unit, bytes) = on_unit(
        &state,
        signed.person,
        code,
        Access::Read,
        move |storage, unit, _| {
            let rows: Vec<_> = storage
                .export_rows(unit, &selection)?
                .into_iter()
                .filter(|row| review.as_ref().is_none_or(|state| &row.review == state))
                .collect();
            let fallback = storage
                .unit_form(unit)?
                .unwrap_or_else(|| DEFAULT_FORM.to_string());
            let bytes = match file {
                QueueFile::Csv => {
                    let mut csv = Vec::new();
                    export::write_csv(&mut csv, &rows, &fallback)?;
                    csv
                }
                QueueFile::Xlsx => workbook::table_workbook(&export::table(&rows, &fallback))?,
            };
            Ok((unit.clone(), bytes))
        },
    )
    .await?;
    let (extension, content_type) = match file {
        QueueFile::Csv => ("csv", "text/csv; charset=utf-8"),
        QueueFile::Xlsx => ("xlsx", workbook::CONTENT_TYPE),
    };
    // Codes are letters, digits, '-', '_' and '.': safe inside the quotes as they are.
    let disposition = format!("attachment; filename=\"SKM-{unit}-jawaban.{extension}\"");
    Ok((
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/v1/responses/ID`: the header, every answer, the fields in conflict with who
/// wrote each value, and the review.
pub async fn response(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Json<ResponseDetail>, AppError> {
    let detail = state
        .with_storage(move |storage| {
            visible_response(storage, &signed.person, id)?;
            // Held but not materialised yet: the follower is moments behind the change log.
            storage
                .response(id)?
                .ok_or_else(|| Error::UnknownResponse(id.to_string()))
        })
        .await?;
    Ok(Json(detail))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn empty_filters_match_everything_and_states_are_read_as_codes() {
        let query = QueueQuery {
            state: Some("Has-Issues".into()),
            period: Some(String::new()),
            from: Some("2026-11-01".into()),
            ..QueueQuery::default()
        };
        let filter = query.parse().unwrap();
        assert_eq!(filter.review.as_deref(), Some("has-issues"));
        assert_eq!(filter.period, None);
        assert_eq!(filter.days.from(), NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(filter.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn a_bad_state_a_day_that_does_not_exist_and_a_range_backwards_are_refused() {
        for query in [
            QueueQuery {
                state: Some("done".into()),
                ..QueueQuery::default()
            },
            QueueQuery {
                to: Some("31/11/2026".into()),
                ..QueueQuery::default()
            },
            QueueQuery {
                from: Some("30/11/2026".into()),
                to: Some("1/11/2026".into()),
                ..QueueQuery::default()
            },
        ] {
            assert!(query.parse().is_err());
        }
    }
}
