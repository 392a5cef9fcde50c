//! Invitations: service users invited one by one to answer the survey, each through a link
//! of their own that takes one answer set. A unit imports its recipients from a CSV (name,
//! phone, e-mail, service, service date), sends e-mail over SMTP itself, and hands the SMS
//! and WhatsApp messages to whatever gateway its office uses as an outbox CSV (phone, the
//! message with the link, and a `wa.me` link a clerk can click).
//!
//! A CSV is taken whole or not at all: every bad row is named by its line, and nothing is
//! stored until none is left.

use std::io::Read;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::links::{self, LinkToken};
use crate::{Error, Result};

/// Most recipients one file may hold.
pub const MAX_RECIPIENTS: usize = 20_000;

/// One recipient as the CSV gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub name: String,
    /// Digits only, with the country code (`62…`), as gateways and `wa.me` want it.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub service: Option<String>,
    pub service_date: Option<NaiveDate>,
}

/// An invitation as stored, with what became of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Invitation {
    pub token: LinkToken,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub service: Option<String>,
    pub service_date: Option<NaiveDate>,
    pub sent_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub opened_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub opted_out_at: Option<DateTime<Utc>>,
}

/// How a unit's invitations fared: the response rate of the channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub invited: usize,
    pub sent: usize,
    pub opened: usize,
    pub answered: usize,
    pub opted_out: usize,
}

impl Tally {
    pub fn of(invitations: &[Invitation]) -> Tally {
        let count = |f: fn(&Invitation) -> bool| invitations.iter().filter(|i| f(i)).count();
        Tally {
            invited: invitations.len(),
            sent: count(|i| i.sent_at.is_some()),
            opened: count(|i| i.opened_at.is_some()),
            answered: count(|i| i.answered_at.is_some()),
            opted_out: count(|i| i.opted_out_at.is_some()),
        }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // In whole tenths of a percent, halves rounded up, as the web shows it.
        let tenths = (self.answered * 1000 + self.sent / 2)
            .checked_div(self.sent)
            .unwrap_or(0);
        write!(
            f,
            "invited {}, sent {}, opened {}, answered {} ({}.{} % of those sent), opted out {}",
            self.invited,
            self.sent,
            self.opened,
            self.answered,
            tenths / 10,
            tenths % 10,
            self.opted_out
        )
    }
}

/// The response rate per channel an invitation went by: e-mail when it has an address,
/// otherwise the SMS and WhatsApp outbox.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ByChannel {
    pub email: Tally,
    pub sms_whatsapp: Tally,
}

impl ByChannel {
    pub fn of(invitations: &[Invitation]) -> ByChannel {
        let (email, phone): (Vec<Invitation>, Vec<Invitation>) =
            invitations.iter().cloned().partition(|i| i.email.is_some());
        ByChannel {
            email: Tally::of(&email),
            sms_whatsapp: Tally::of(&phone),
        }
    }
}

/// Whether `invitation` gets its one reminder now: sent at least `days` ago, never
/// reminded, not answered, not opted out.
pub fn due_reminder(invitation: &Invitation, days: u32, now: DateTime<Utc>) -> bool {
    invitation
        .sent_at
        .is_some_and(|sent| now - sent >= chrono::TimeDelta::days(i64::from(days)))
        && invitation.reminded_at.is_none()
        && invitation.answered_at.is_none()
        && invitation.opted_out_at.is_none()
}

/// The columns read, by their accepted header names (any case, either language).
const NAME: &[&str] = &["name", "nama"];
const PHONE: &[&str] = &["phone", "telepon", "hp", "no_hp", "whatsapp"];
const EMAIL: &[&str] = &["email", "e-mail", "surel"];
const SERVICE: &[&str] = &["service", "layanan"];
const SERVICE_DATE: &[&str] = &["service_date", "tanggal_layanan", "tanggal"];

/// Reads recipients from a CSV with a header row. Every problem is reported at once, each
/// with its line number (the header is line 1).
pub fn read_csv(input: impl Read) -> Result<Vec<Recipient>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader.headers().map_err(csv_error)?.clone();
    let column = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let Some(name_at) = column(NAME) else {
        return Err(invalid(1, "the header has no `name` (nama) column"));
    };
    let (phone_at, email_at) = (column(PHONE), column(EMAIL));
    if phone_at.is_none() && email_at.is_none() {
        return Err(invalid(
            1,
            "the header has neither a `phone` nor an `email` column",
        ));
    }
    let (service_at, date_at) = (column(SERVICE), column(SERVICE_DATE));

    let mut recipients = Vec::new();
    let mut problems = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(csv_error)?;
        let cell = |at: Option<usize>| {
            at.and_then(|at| record.get(at))
                .map(str::trim)
                .filter(|value| !value.is_empty())
        };
        match recipient(
            cell(Some(name_at)),
            cell(phone_at),
            cell(email_at),
            cell(service_at),
            cell(date_at),
        ) {
            Ok(recipient) => recipients.push(recipient),
            Err(reason) => problems.push(format!("line {line}: {reason}")),
        }
        if recipients.len() + problems.len() > MAX_RECIPIENTS {
            return Err(invalid(line, "more than 20 000 recipients; split the file"));
        }
    }
    if !problems.is_empty() {
        return Err(Error::InvalidRecipients(problems));
    }
    Ok(recipients)
}

fn recipient(
    name: Option<&str>,
    phone: Option<&str>,
    email: Option<&str>,
    service: Option<&str>,
    date: Option<&str>,
) -> std::result::Result<Recipient, String> {
    let name = name.ok_or("the name is empty")?;
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err("the name is longer than 200 characters or spans lines".into());
    }
    let phone = phone.map(normalise_phone).transpose()?;
    let email = email.map(check_email).transpose()?;
    if phone.is_none() && email.is_none() {
        return Err("neither a phone number nor an e-mail address".into());
    }
    let service = links::parse_service(service)
        .map_err(|_| "the service is longer than 200 characters or spans lines".to_string())?;
    let service_date = date
        .map(|raw| {
            simpul_survey::parse_day(raw)
                .ok_or_else(|| format!("the service date {raw:?} is not a day (e.g. 30/11/2026)"))
        })
        .transpose()?;
    Ok(Recipient {
        name: name.to_string(),
        phone,
        email,
        service,
        service_date,
    })
}

/// An Indonesian number as written (`0812-3456-7890`, `+62 812 3456 7890`) as gateways want
/// it: digits only, with the country code.
fn normalise_phone(raw: &str) -> std::result::Result<String, String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let allowed = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '.'));
    let phone = match digits.strip_prefix('0') {
        Some(rest) => format!("62{rest}"),
        None => digits,
    };
    if !allowed || !(10..=15).contains(&phone.len()) {
        return Err(format!(
            "the phone number {raw:?} is not a number like 0812 3456 7890"
        ));
    }
    Ok(phone)
}

fn check_email(raw: &str) -> std::result::Result<String, String> {
    let valid = raw.len() <= 254
        && raw
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !raw
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',');
    if valid {
        Ok(raw.to_string())
    } else {
        Err(format!("the e-mail address {raw:?} is not an address"))
    }
}

/// The short message of an invitation, for SMS and WhatsApp: one sentence and the link.
pub fn short_message(unit: &str, invitation: &Invitation, url: &str) -> String {
    let service = invitation
        .service
        .as_deref()
        .map_or(String::new(), |s| format!(" {s}"));
    format!(
        "Yth. {}, terima kasih telah menggunakan layanan{service} di {unit}. Mohon isi survei \
         kepuasan (3 menit, tanpa nama): {url}",
        invitation.name
    )
}

/// The `wa.me` link that opens WhatsApp with the message written to the number.
pub fn whatsapp_link(phone: &str, message: &str) -> String {
    let encoded: String = message
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("https://wa.me/{phone}?text={encoded}")
}

/// Writes the outbox for SMS and WhatsApp gateways: `phone,message,whatsapp`, one row per
/// invitation with a phone number whose recipient has not opted out.
pub fn write_outbox(
    out: &mut dyn std::io::Write,
    unit: &str,
    invitations: &[(Invitation, String)],
) -> Result<usize> {
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record(["phone", "message", "whatsapp"])
        .map_err(csv_error)?;
    let mut rows = 0;
    for (invitation, url) in invitations {
        let Some(phone) = &invitation.phone else {
            continue;
        };
        if invitation.opted_out_at.is_some() {
            continue;
        }
        let message = short_message(unit, invitation, url);
        writer
            .write_record([phone.as_str(), &message, &whatsapp_link(phone, &message)])
            .map_err(csv_error)?;
        rows += 1;
    }
    writer.flush()?;
    Ok(rows)
}

fn invalid(line: usize, reason: &str) -> Error {
    Error::InvalidRecipients(vec![format!("line {line}: {reason}")])
}

fn csv_error(error: csv::Error) -> Error {
    let line = error.position().map_or(0, |p| p.line());
    Error::InvalidRecipients(vec![format!("line {line}: {error}")])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_read_in_either_language_with_numbers_as_gateways_want_them() {
        let csv = "Nama,No_HP,Surel,Layanan,Tanggal_Layanan\n\
                   Siti Aminah,0812-3456-7890,,KTP-el,30/11/2026\n\
                   Budi,+62 813 1111 2222,budi@contoh.id,,\n";
        let read = read_csv(csv.as_bytes()).unwrap();
        assert_eq!(read[0].phone.as_deref(), Some("6281234567890"));
        assert_eq!(read[0].service.as_deref(), Some("KTP-el"));
        assert_eq!(read[0].service_date, NaiveDate::from_ymd_opt(2026, 11, 30));
        assert_eq!(read[1].phone.as_deref(), Some("6281311112222"));
        assert_eq!(read[1].email.as_deref(), Some("budi@contoh.id"));
    }

    #[test]
    fn every_bad_row_is_named_by_its_line_and_nothing_is_taken() {
        let csv = "name,phone,email,service_date\n\
                   Siti,0812345678901,,\n\
                   ,0812345678901,,\n\
                   Budi,12ab,,\n\
                   Rina,,rina-at-contoh,\n\
                   Dewi,,,\n\
                   Adi,081234567890,,31/02/2026\n";
        let Err(Error::InvalidRecipients(problems)) = read_csv(csv.as_bytes()) else {
            panic!("a file with bad rows was taken");
        };
        let lines: Vec<&str> = problems
            .iter()
            .map(|p| p.split(':').next().unwrap())
            .collect();
        assert_eq!(
            lines,
            ["line 3", "line 4", "line 5", "line 6", "line 7"],
            "{problems:?}"
        );
        assert!(problems[4].contains("31/02/2026"), "{problems:?}");
    }

    #[test]
    fn a_header_without_a_name_or_any_address_is_refused_on_line_one() {
        for csv in ["phone\n0812345678901\n", "name,service\nSiti,KTP\n"] {
            let Err(Error::InvalidRecipients(problems)) = read_csv(csv.as_bytes()) else {
                panic!("{csv:?} taken");
            };
            assert!(problems[0].starts_with("line 1:"), "{problems:?}");
        }
    }

    fn invited(email: Option<&str>, phone: Option<&str>, answered: bool) -> Invitation {
        Invitation {
            token: LinkToken::generate().unwrap(),
            name: "X".into(),
            phone: phone.map(str::to_string),
            email: email.map(str::to_string),
            service: None,
            service_date: None,
            sent_at: Some(Utc::now()),
            reminded_at: None,
            opened_at: answered.then(Utc::now),
            answered_at: answered.then(Utc::now),
            opted_out_at: None,
        }
    }

    #[test]
    fn the_rate_is_counted_per_channel_an_invitation_went_by() {
        let all = [
            invited(Some("a@b.id"), None, true),
            invited(Some("c@d.id"), Some("6281234567890"), false),
            invited(None, Some("6281300000000"), true),
            invited(None, Some("6281300000001"), false),
            invited(None, Some("6281300000002"), false),
        ];
        let rates = ByChannel::of(&all);
        assert_eq!((rates.email.sent, rates.email.answered), (2, 1));
        assert_eq!(
            (rates.sms_whatsapp.sent, rates.sms_whatsapp.answered),
            (3, 1)
        );
        assert!(rates.email.to_string().contains("(50.0 % of those sent)"));
        // Halves round up, as the web rounds them: 1 of 16 is 6.25 %.
        let one_in_sixteen = Tally {
            sent: 16,
            answered: 1,
            ..Tally::default()
        };
        assert!(
            one_in_sixteen.to_string().contains("(6.3 %"),
            "{one_in_sixteen}"
        );
    }

    #[test]
    fn a_reminder_is_due_once_after_the_days_to_those_who_have_not_answered() {
        let now = Utc::now();
        let mut waiting = invited(Some("a@b.id"), None, false);
        waiting.sent_at = Some(now - chrono::TimeDelta::days(3));
        assert!(due_reminder(&waiting, 3, now));
        assert!(!due_reminder(&waiting, 4, now));
        let reminded = Invitation {
            reminded_at: Some(now),
            ..waiting.clone()
        };
        assert!(!due_reminder(&reminded, 3, now));
        let answered = Invitation {
            answered_at: Some(now),
            ..waiting.clone()
        };
        assert!(!due_reminder(&answered, 3, now));
        let unsent = Invitation {
            sent_at: None,
            ..waiting
        };
        assert!(!due_reminder(&unsent, 0, now));
    }

    #[test]
    fn the_outbox_has_a_row_per_phone_with_the_link_and_a_whatsapp_link() {
        let invitation = |name: &str, phone: Option<&str>, opted_out: bool| Invitation {
            token: LinkToken::generate().unwrap(),
            name: name.into(),
            phone: phone.map(str::to_string),
            email: None,
            service: Some("KTP-el".into()),
            service_date: None,
            sent_at: None,
            reminded_at: None,
            opened_at: None,
            answered_at: None,
            opted_out_at: opted_out.then(Utc::now),
        };
        let rows = [
            (
                invitation("Siti", Some("6281234567890"), false),
                "https://s.id/f/a".to_string(),
            ),
            (
                invitation("Budi", None, false),
                "https://s.id/f/b".to_string(),
            ),
            (
                invitation("Rina", Some("6281300000000"), true),
                "https://s.id/f/c".to_string(),
            ),
        ];
        let mut out = Vec::new();
        assert_eq!(write_outbox(&mut out, "Disdukcapil", &rows).unwrap(), 1);
        let text = String::from_utf8(out).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 1, "{text}");
        assert_eq!(&records[0][0], "6281234567890");
        assert!(records[0][1].contains("Siti") && records[0][1].contains("https://s.id/f/a"));
        assert!(records[0][2].starts_with("https://wa.me/6281234567890?text=Yth.%20Siti"));
        assert!(
            records[0][2].contains("https%3A%2F%2Fs.id%2Ff%2Fa"),
            "{}",
            &records[0][2]
        );
    }
}
