//! The respondents' side of survey links, open to anyone who has the link:
//!
//! - `GET /f/TOKEN[?serial=K-001]`: the survey page, with the unit's form and the link's
//!   service and period written into it, so that one load holds everything the page needs
//!   offline;
//! - `GET /f/sw.js`: its service worker, which keeps the page (and so the answers it holds)
//!   usable without a connection;
//! - `POST /f/TOKEN/responses`: an answer set, `201` when stored, `200` when its id was
//!   stored before (a retry), `422` naming every question at fault in both languages, `410`
//!   for a closed link or period, `429` past the hour's allowance for one address.
//!
//! Refusals carry `{code, message, text: {id, en}}`, and `fields` for `422`: the page shows
//! the respondent words, not codes.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use simpul_document::PaperSerial;
use simpul_survey::{Form, Text};

use crate::connections::ClientAddress;
use crate::error::AppError;
use crate::links::{self, Link, LinkToken};
use crate::model::PeriodCode;
use crate::routes::ApiJson;
use crate::routes::web::{self, NOT_BUILT, WebAssets};
use crate::state::AppState;
use crate::storage::{InvitationMark, Storage, WebAnswer, WebStored};
use crate::web_answer::{self, FieldProblem, Target, WebAnswerBody};
use crate::{Error, Result};

/// The largest answer set: a full questionnaire with a long suggestion is a few kilobytes.
pub const SURVEY_BODY_LIMIT: usize = 64 << 10;

const PAGE: &str = "survey.html";
const WORKER: &str = "survey-sw.js";
/// Where the page wants its data; see `ui/survey.html`.
const PLACEHOLDER: &str = "<!--survey-data-->";

/// As the supervisors' web, plus the page's own service worker.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; worker-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'self'";

const UNKNOWN_LINK: &str = "<!doctype html><html lang=id><meta charset=utf-8>\
<meta name=viewport content=\"width=device-width, initial-scale=1\"><title>Simpul</title>\
<h1>Tautan survei tidak dikenal</h1><p>Periksa alamatnya, atau pindai lagi kode QR di loket.</p>\
<p lang=en>This survey link is not known. Check the address, or scan the code at the counter again.</p>";

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub serial: Option<String>,
}

/// What the page is told, as JSON in the page itself.
#[derive(Serialize)]
struct PageData {
    token: LinkToken,
    unit: UnitData,
    period: Option<PeriodCode>,
    service: Option<String>,
    serial: Option<String>,
    closed: bool,
    form: &'static Form,
}

#[derive(Serialize)]
struct UnitData {
    code: String,
    name: String,
}

/// `GET /f/TOKEN`.
pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    let Ok(token) = LinkToken::parse(&token) else {
        return Ok(unknown_link());
    };
    let data = state
        .with_storage(move |storage| {
            let Some(link) = storage.link(&token)? else {
                return Ok(None);
            };
            if link.single_use {
                // An invitation opened: the first time counts, later ones change nothing.
                storage.mark_invitations(
                    std::slice::from_ref(&link.token),
                    InvitationMark::Opened,
                    Utc::now(),
                )?;
            }
            let unit = storage
                .unit(&link.unit)?
                .ok_or_else(|| Error::UnknownUnit(link.unit.to_string()))?;
            let period = open_period(storage, &link)?;
            Ok(Some(PageData {
                closed: !link.is_open() || period.is_none(),
                period: period.or(link.period.clone()),
                form: links::form_of(storage, &link.unit)?,
                token: link.token,
                unit: UnitData {
                    code: unit.code.to_string(),
                    name: unit.name.to_string(),
                },
                service: link.service,
                serial: query
                    .serial
                    .as_deref()
                    .and_then(|raw| PaperSerial::parse(raw).ok())
                    .map(|serial| serial.to_string()),
            }))
        })
        .await?;
    let Some(data) = data else {
        return Ok(unknown_link());
    };
    let Some(file) = WebAssets::get(PAGE) else {
        return Ok(web::html(
            StatusCode::SERVICE_UNAVAILABLE,
            Body::from(NOT_BUILT),
            CSP,
        ));
    };
    let status = if data.closed {
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    let json = serde_json::to_string(&data).expect("the page data is plain JSON");
    let page = String::from_utf8_lossy(&file.data).replacen(
        PLACEHOLDER,
        &format!(
            "<script type=\"application/json\" id=\"survey-data\">{}</script>",
            script_safe(&json)
        ),
        1,
    );
    Ok(web::html(status, Body::from(page), CSP))
}

const OPTED_OUT: &str = "<!doctype html><html lang=id><meta charset=utf-8>\
<meta name=viewport content=\"width=device-width, initial-scale=1\"><title>Simpul</title>\
<h1>Anda tidak akan dihubungi lagi</h1><p>Undangan survei ini sudah kami hentikan. Terima kasih.</p>\
<p lang=en>You will not be contacted again: this survey invitation is stopped. Thank you.</p>";

/// `GET /f/TOKEN/berhenti`: the invited person asks to hear no more. Their link closes and
/// no reminder follows. Plain `GET`, as a link in an e-mail is followed.
pub async fn opt_out(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Ok(token) = LinkToken::parse(&token) else {
        return Ok(unknown_link());
    };
    let invited = state
        .with_storage(move |storage| {
            if storage.invitation(&token)?.is_none() {
                return Ok(false);
            }
            storage.mark_invitations(&[token], InvitationMark::OptedOut, Utc::now())?;
            Ok(true)
        })
        .await?;
    Ok(if invited {
        web::html(StatusCode::OK, Body::from(OPTED_OUT), CSP)
    } else {
        unknown_link()
    })
}

/// `GET /f/sw.js`: revalidated on every registration, so a new release reaches phones.
pub async fn worker() -> Result<Response, AppError> {
    let file = WebAssets::get(WORKER).ok_or(AppError::NotFound)?;
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(web::content_type(WORKER)),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        HeaderName::from_static("service-worker-allowed"),
        HeaderValue::from_static("/f/"),
    );
    Ok(response)
}

/// What came of an answer set.
enum Outcome {
    Stored(WebStored),
    UnknownLink,
    LinkClosed,
    LinkUsed,
    PeriodClosed,
    Invalid(Vec<FieldProblem>),
    TooMany,
}

/// An answer set checked and written, or why it is not.
enum Checked {
    Ready(Box<WebAnswer>),
    Done(Outcome),
}

#[derive(Serialize)]
struct Accepted {
    status: &'static str,
    response: uuid::Uuid,
}

/// `POST /f/TOKEN/responses`.
pub async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    address: ClientAddress,
    ApiJson(body): ApiJson<WebAnswerBody>,
) -> Result<Response, AppError> {
    let Ok(token) = LinkToken::parse(&token) else {
        return Ok(refusal(Outcome::UnknownLink));
    };
    let per_hour = state.web_answers_per_hour;
    let address = address.ip().map(|ip| ip.to_string());
    let checked = state
        .with_storage(move |storage| check(storage, token, &body, address, per_hour))
        .await?;
    let outcome = match checked {
        Checked::Done(outcome) => outcome,
        Checked::Ready(answer) => match state.answers.store(*answer).await {
            Ok(stored) => Outcome::Stored(stored),
            Err(Error::LinkClosed(_)) => Outcome::LinkClosed,
            Err(Error::LinkUsed(_)) => Outcome::LinkUsed,
            Err(Error::UnknownLink(_)) => Outcome::UnknownLink,
            Err(Error::TooManyWebAnswers(_)) => Outcome::TooMany,
            Err(error) => return Err(error.into()),
        },
    };
    Ok(match outcome {
        Outcome::Stored(WebStored::Created { response }) => {
            let body = Accepted {
                status: "created",
                response,
            };
            (StatusCode::CREATED, Json(body)).into_response()
        }
        Outcome::Stored(WebStored::AlreadyStored { response }) => {
            let body = Accepted {
                status: "already_stored",
                response,
            };
            (StatusCode::OK, Json(body)).into_response()
        }
        refused => refusal(refused),
    })
}

/// Everything decided before the write: a retry, the link, its period, the answers.
fn check(
    storage: &dyn Storage,
    token: LinkToken,
    body: &WebAnswerBody,
    address: Option<String>,
    per_hour: u32,
) -> Result<Checked> {
    // A retry of a stored set is answered as stored, whatever happened to the link since.
    if let Some(response) = storage.web_answer(body.id)? {
        return Ok(Checked::Done(Outcome::Stored(WebStored::AlreadyStored {
            response,
        })));
    }
    let Some(link) = storage.link(&token)? else {
        return Ok(Checked::Done(Outcome::UnknownLink));
    };
    if link.single_use && link.answers > 0 {
        return Ok(Checked::Done(Outcome::LinkUsed));
    }
    if !link.is_open() {
        return Ok(Checked::Done(Outcome::LinkClosed));
    }
    let Some(period) = open_period(storage, &link)? else {
        return Ok(Checked::Done(Outcome::PeriodClosed));
    };
    let form = links::form_of(storage, &link.unit)?;
    let target = Target {
        form,
        unit: &link.unit,
        period: &period,
        service: link.service.as_deref(),
        // The server's own zone: it stands in the region its units serve.
        today: chrono::Local::now().date_naive(),
        now: Utc::now(),
    };
    let prepared = match web_answer::prepare(body, &target) {
        Ok(prepared) => prepared,
        Err(problems) => return Ok(Checked::Done(Outcome::Invalid(problems))),
    };
    Ok(Checked::Ready(Box::new(WebAnswer {
        token,
        id: body.id,
        unit: link.unit,
        prepared,
        address,
        per_hour,
    })))
}

/// The period a link takes answers for: its own while it is the unit's active period, or
/// the unit's active one. `None` when that period has been closed by moving the unit on, or
/// the unit has none yet.
fn open_period(storage: &dyn Storage, link: &Link) -> Result<Option<PeriodCode>> {
    let active = storage
        .active_period(&link.unit)?
        .and_then(|period| PeriodCode::parse(&period).ok());
    Ok(match (&link.period, active) {
        (Some(own), Some(active)) if *own == active => Some(active),
        (Some(_), _) => None,
        (None, active) => active,
    })
}

#[derive(Serialize)]
struct RefusalBody {
    code: &'static str,
    message: String,
    text: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldProblem>,
}

fn refusal(outcome: Outcome) -> Response {
    let (status, code, text, fields) = match outcome {
        Outcome::Stored(_) => unreachable!("a stored answer set is not refused"),
        Outcome::UnknownLink => (
            StatusCode::NOT_FOUND,
            "unknown_link",
            Text::new(
                "Tautan survei ini tidak dikenal.",
                "This survey link is not known.",
            ),
            Vec::new(),
        ),
        Outcome::LinkClosed => (
            StatusCode::GONE,
            "link_closed",
            Text::new(
                "Survei ini sudah ditutup; jawaban tidak lagi diterima.",
                "This survey is closed; answers are no longer taken.",
            ),
            Vec::new(),
        ),
        Outcome::LinkUsed => (
            StatusCode::GONE,
            "link_used",
            Text::new(
                "Tautan undangan ini sudah dipakai untuk mengisi survei. Terima kasih!",
                "This invitation's link has already been used to answer. Thank you!",
            ),
            Vec::new(),
        ),
        Outcome::PeriodClosed => (
            StatusCode::GONE,
            "period_closed",
            Text::new(
                "Periode survei ini sudah berakhir; jawaban tidak lagi diterima.",
                "This survey period has ended; answers are no longer taken.",
            ),
            Vec::new(),
        ),
        Outcome::Invalid(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_answers",
            Text::new(
                "Beberapa jawaban perlu diperbaiki.",
                "Some answers need fixing.",
            ),
            fields,
        ),
        Outcome::TooMany => (
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_answers",
            Text::new(
                "Terlalu banyak jawaban dari jaringan ini dalam satu jam; coba lagi nanti.",
                "Too many answers from this network within an hour; try again later.",
            ),
            Vec::new(),
        ),
    };
    let body = RefusalBody {
        code,
        message: text.en.clone(),
        text,
        fields,
    };
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        // The allowance renews at the next full hour.
        let wait = 3600 - Utc::now().timestamp().rem_euclid(3600);
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(wait.max(1)));
    }
    response
}

fn unknown_link() -> Response {
    web::html(StatusCode::NOT_FOUND, Body::from(UNKNOWN_LINK), CSP)
}

/// JSON to sit inside a `<script>` element: `<`, `>` and `&` escaped, so that no text in it
/// (a unit's name, a service) can close the element.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_the_page_cannot_close_its_script_element() {
        let json = serde_json::to_string(&serde_json::json!({"name": "</script><b>&"})).unwrap();
        let safe = script_safe(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["name"], "</script><b>&");
    }
}
