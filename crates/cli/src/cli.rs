//! The command line, as clap types. Scripts and tests depend on these forms.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use simpul_replica::{Channel, Filter, ReviewState, Status};
use simpul_survey::{Lang, Method, Weighting};

#[derive(Parser, Debug)]
#[command(
    name = "simpul",
    version,
    about = "Simpul: survei kepuasan masyarakat (SKM) tanpa sinyal / offline-first SKM surveys"
)]
pub struct Cli {
    /// Language of messages: id (Bahasa Indonesia) or en.
    #[arg(long, global = true, env = "SIMPUL_LANG", default_value = "id", value_parser = parse_lang)]
    pub lang: Lang,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a replica in a folder.
    Init(InitArgs),
    /// Record one questionnaire.
    Capture(CaptureArgs),
    /// List responses.
    List(ListArgs),
    /// Show one response with every answer and conflict.
    Show(IdArgs),
    /// Change answers of a response.
    Edit(EditArgs),
    /// Mark a draft response complete.
    Finalise(IdArgs),
    /// Delete a response (it can be restored).
    Delete(IdArgs),
    /// Undo a deletion.
    Restore(IdArgs),
    /// List fields holding several values.
    Conflicts(ListArgs),
    /// Choose one of the values of a conflicting field.
    Resolve(ResolveArgs),
    /// Import paper questionnaires from a CSV file.
    #[command(name = "import-csv")]
    ImportCsv(ImportCsvArgs),
    /// The IKM report.
    Report(ReportArgs),
    /// The Krejcie & Morgan minimum number of respondents.
    #[command(name = "sample-size")]
    SampleSize(SampleSizeArgs),
    /// Move data between replicas by file.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Export responses.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Register this device with a sync server using a one-time code.
    Enrol(EnrolArgs),
    /// Push and pull until this device and the server hold the same data.
    Sync(SyncArgs),
    /// Pending uploads, last successful sync and the server cursor.
    Status(StatusArgs),
}

#[derive(Args, Debug)]
pub struct EnrolArgs {
    #[command(flatten)]
    pub data: Data,
    /// The server's address, e.g. http://192.168.1.10:8080
    #[arg(long)]
    pub server: String,
    /// The one-time enrolment code from the administrator.
    #[arg(long)]
    pub code: String,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    #[command(flatten)]
    pub data: Data,
    /// Give up after this many failed attempts in a row (the next sync resumes).
    #[arg(long, default_value_t = 12)]
    pub max_failures: u32,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 1800)]
    pub timeout: u64,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    pub data: Data,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Args, Debug)]
pub struct Data {
    /// The replica's folder.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Args, Debug)]
pub struct FormatArg {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub data: Data,
    /// The service unit's code.
    #[arg(long, default_value = "U-DEMO")]
    pub unit: String,
    /// The survey period's code; the current semester when omitted (e.g. 2026-S2).
    #[arg(long)]
    pub period: Option<String>,
    /// The form new responses use.
    #[arg(long, default_value = "skm-2017")]
    pub form: String,
    /// A name for this device.
    #[arg(long)]
    pub device: Option<String>,
}

#[derive(Args, Debug)]
pub struct Who {
    /// Who is entering the data (recorded with every change).
    #[arg(long, env = "SIMPUL_ENUMERATOR")]
    pub enumerator: Option<String>,
}

#[derive(Args, Debug)]
pub struct CaptureArgs {
    #[command(flatten)]
    pub data: Data,
    #[arg(long, default_value = "interview", value_parser = parse_channel)]
    pub channel: Channel,
    /// The serial number printed on a paper questionnaire.
    #[arg(long)]
    pub paper_serial: Option<String>,
    /// An answer, ITEM=VALUE (e.g. U1=4, jenis_kelamin=P); repeatable.
    #[arg(long = "set", value_name = "ITEM=VALUE", value_parser = parse_assignment)]
    pub set: Vec<(String, String)>,
    /// Read the answers as a JSON object from standard input, e.g. {"U1": 4, "gender": "P"}.
    #[arg(long)]
    pub json: bool,
    /// Save as a draft instead of a complete questionnaire.
    #[arg(long)]
    pub draft: bool,
    #[arg(long)]
    pub form: Option<String>,
    #[arg(long)]
    pub unit: Option<String>,
    #[arg(long)]
    pub period: Option<String>,
    #[command(flatten)]
    pub who: Who,
    #[command(flatten)]
    pub format: FormatArg,
}

/// How a questionnaire was filled in: the replica's one list of channels (interview, paper,
/// kiosk, web), parsed by its own rule.
fn parse_channel(raw: &str) -> Result<Channel, simpul_replica::Error> {
    Channel::parse(raw)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Draft,
    Final,
}

#[derive(Args, Debug, Default)]
pub struct FilterArgs {
    #[arg(long)]
    pub period: Option<String>,
    #[arg(long)]
    pub unit: Option<String>,
    /// The service received (jenis layanan).
    #[arg(long)]
    pub service: Option<String>,
    /// interview, paper, kiosk or web.
    #[arg(long, value_parser = parse_channel)]
    pub channel: Option<Channel>,
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Only responses with fields holding several values.
    #[arg(long)]
    pub has_conflict: bool,
    /// Include deleted responses.
    #[arg(long)]
    pub include_deleted: bool,
    /// The survey method: permenpanrb-14-2017 (2017) or kepmenpan-25-2004 (2004).
    #[arg(long, value_parser = parse_method)]
    pub method: Option<Method>,
    /// A supervisor's review: received, has-issues, approved or rejected.
    #[arg(long = "state", value_parser = parse_review)]
    pub review: Option<ReviewState>,
    /// Only responses captured by this enumerator.
    #[arg(long)]
    pub enumerator: Option<String>,
    /// Only responses captured on or after this day: 30/11/2026 or 2026-11-30.
    #[arg(long, value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Only responses captured on or before this day.
    #[arg(long, value_parser = parse_date)]
    pub to: Option<NaiveDate>,
}

fn parse_date(raw: &str) -> Result<NaiveDate, simpul_replica::Error> {
    simpul_replica::parse_date(raw)
}

fn parse_review(raw: &str) -> Result<ReviewState, String> {
    ReviewState::parse(raw)
        .ok_or_else(|| format!("{raw:?}: pilih received, has-issues, approved atau rejected"))
}

impl FilterArgs {
    pub fn to_filter(&self) -> Filter {
        Filter {
            period: self.period.clone(),
            unit: self.unit.clone(),
            service: self.service.clone(),
            channel: self.channel,
            status: self.status.map(|s| match s {
                StatusArg::Draft => Status::Draft,
                StatusArg::Final => Status::Final,
            }),
            has_conflict: self.has_conflict.then_some(true),
            method: self.method,
            include_deleted: self.include_deleted,
            review: self.review,
            enumerator: self.enumerator.clone(),
            from: self.from,
            to: self.to,
        }
    }
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub data: Data,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Args, Debug)]
pub struct IdArgs {
    #[command(flatten)]
    pub data: Data,
    /// The response id (or a unique beginning of it).
    pub id: String,
    #[command(flatten)]
    pub who: Who,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    #[command(flatten)]
    pub data: Data,
    pub id: String,
    /// An answer, ITEM=VALUE; an empty VALUE clears it.
    #[arg(long = "set", value_name = "ITEM=VALUE", value_parser = parse_assignment, required = true)]
    pub set: Vec<(String, String)>,
    #[command(flatten)]
    pub who: Who,
}

#[derive(Args, Debug)]
pub struct ResolveArgs {
    #[command(flatten)]
    pub data: Data,
    pub id: String,
    /// The field (item id, e.g. U3).
    pub field: String,
    /// The value to keep; one of those the field holds.
    pub value: String,
    #[command(flatten)]
    pub who: Who,
}

#[derive(Args, Debug)]
pub struct ImportCsvArgs {
    #[command(flatten)]
    pub data: Data,
    pub file: PathBuf,
    /// The form the rows answer; the replica's active form when omitted.
    #[arg(long)]
    pub form: Option<String>,
    #[command(flatten)]
    pub who: Who,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub data: Data,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// exact: 1/number of unsur (default); template: the printed 0,111 (0,071 for 2004).
    #[arg(long, default_value = "exact", value_parser = parse_weighting)]
    pub weight: Weighting,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Args, Debug)]
pub struct SampleSizeArgs {
    /// Service users in the previous period.
    #[arg(long)]
    pub population: u64,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Subcommand, Debug)]
pub enum BundleCommand {
    /// Write this replica's changes to a bundle file.
    Export {
        #[command(flatten)]
        data: Data,
        #[arg(long)]
        out: PathBuf,
        /// Only changes after this log position (printed by the previous export).
        #[arg(long, default_value_t = 0)]
        since: i64,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Apply a bundle file from another replica.
    Import {
        #[command(flatten)]
        data: Data,
        file: PathBuf,
        #[command(flatten)]
        format: FormatArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// One CSV row per response; imports back with `import-csv`.
    Csv {
        #[command(flatten)]
        data: Data,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        filter: FilterArgs,
    },
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("`{s}`: expected id or en"))
}

fn parse_method(s: &str) -> Result<Method, String> {
    Method::parse(s).map_err(|e| e.to_string())
}

fn parse_weighting(s: &str) -> Result<Weighting, String> {
    Weighting::parse(s).map_err(|e| e.to_string())
}

fn parse_assignment(s: &str) -> Result<(String, String), String> {
    let (item, value) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected ITEM=VALUE"))?;
    Ok((item.trim().to_string(), value.to_string()))
}
