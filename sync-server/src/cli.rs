//! The `simpul-server` command line: `serve`; `admin` for units, enrolment codes and
//! devices; `report` and `conflicts`, read from the server's materialised tables. Results go
//! to standard output, logs to standard error.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use clap::{Args, Parser, Subcommand};
use simpul_document::review::ReviewState;
use simpul_survey::Weighting;
use uuid::Uuid;

use crate::admin::RelayUnits;
use crate::config::{Config, Layer, LogFormat};
use crate::database::Database;
use crate::decide::{self, Decider};
use crate::export;
use crate::history;
use crate::invitations;
use crate::links::{self, LinkToken, NewLink};
use crate::mail::Mailer;
use crate::materialise;
use crate::model::{DeviceRecord, Name, PeriodCode, UnitCode};
use crate::people::{Password, Role, Scope};
use crate::report::{self, CrossUnitReport, Days, Pooled, ReportFilter, UnitScope};
use crate::storage::{InvitationMark, SqliteStorage, Storage};
use crate::unit_document::UnitSettings;
use crate::{
    Application, Error, Result, admin, official, printed, relay, safe_write, telemetry, workbook,
};

#[derive(Debug, Parser)]
#[command(name = "simpul-server", version, about = "The Simpul sync server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the sync API until SIGTERM or Ctrl-C. The first line printed is
    /// "listening on http://ADDRESS".
    Serve(ServeArgs),
    /// Manage units, enrolment codes and devices; works while the server runs.
    Admin(AdminArgs),
    /// A unit's IKM from every response the server holds, computed as devices compute it;
    /// without --unit, every unit (or an instansi's) side by side and pooled. Works while
    /// the server runs.
    Report(ReportArgs),
    /// Write a unit's responses to a file; works while the server runs.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Fields whose values disagree (two typings of a sheet, concurrent edits), to settle.
    Conflicts(ConflictsArgs),
    /// Settle a field holding several values on one of them; devices get it at their next
    /// sync.
    Resolve(ResolveArgs),
    /// Review a response: approved, has-issues or rejected (a rejection needs --note).
    Review(ReviewArgs),
    /// Delete a response (it leaves lists and the IKM, everywhere); `restore` undoes it.
    Delete(DecisionArgs),
    /// Restore a deleted response.
    Restore(DecisionArgs),
    /// Who wrote what in a response, when, from which device or as which person.
    History(HistoryArgs),
    /// Write a consistent copy of the database to a file, while the server runs. A later
    /// backup to the same file replaces it whole.
    Backup(BackupArgs),
    /// Start a server folder from a backup; the folder must hold no database. Devices notice
    /// the restore at their next sync and send again whatever the backup lacks.
    RestoreBackup(RestoreBackupArgs),
    /// A relay's state: per unit, changes waiting to go up and when it last reached the
    /// upstream.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Directory holding the database.
    #[arg(long, env = "SIMPUL_DATA")]
    pub data: Option<PathBuf>,
    /// Refused with a pointer to PostgreSQL's own tools: `pg_dump` and `pg_restore`.
    #[arg(long, env = "SIMPUL_DATABASE", hide = true)]
    pub database: Option<String>,
    /// The backup file to write.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreBackupArgs {
    /// Directory to start; it must hold no server database yet.
    #[arg(long, env = "SIMPUL_DATA")]
    pub data: Option<PathBuf>,
    /// Refused with a pointer to PostgreSQL's own tools: `pg_dump` and `pg_restore`.
    #[arg(long, env = "SIMPUL_DATABASE", hide = true)]
    pub database: Option<String>,
    /// The backup file, as `simpul-server backup` wrote it.
    #[arg(long)]
    pub from: PathBuf,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Directory holding the database.
    #[arg(long, env = "SIMPUL_DATA")]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database instead of a data folder, shared by several server
    /// processes: postgres://USER@HOST:PORT/DATABASE, with ?sslmode=require for TLS.
    #[arg(long, env = "SIMPUL_DATABASE")]
    pub database: Option<String>,
    /// The response's id.
    pub response: Uuid,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DecisionArgs {
    /// Directory holding the database.
    #[arg(long, env = "SIMPUL_DATA")]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database instead of a data folder, shared by several server
    /// processes: postgres://USER@HOST:PORT/DATABASE, with ?sslmode=require for TLS.
    #[arg(long, env = "SIMPUL_DATABASE")]
    pub database: Option<String>,
    /// The response's id.
    pub response: Uuid,
    /// Who decides: recorded with the change, shown in the response's history.
    #[arg(long)]
    pub by: String,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    #[command(flatten)]
    pub decision: DecisionArgs,
    /// The field, as `conflicts` names it (e.g. U3).
    pub field: String,
    /// The value to keep: one of the values the field holds.
    pub value: String,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub decision: DecisionArgs,
    /// received, has-issues, approved or rejected.
    #[arg(long, value_parser = parse_review)]
    pub state: ReviewState,
    /// Why: required to reject.
    #[arg(long)]
    pub note: Option<String>,
}

fn parse_review(raw: &str) -> std::result::Result<ReviewState, String> {
    ReviewState::parse(raw)
        .ok_or_else(|| "expected received, has-issues, approved or rejected".to_string())
}

/// Which responses a report, a list of conflicts or an export covers.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only this survey period, e.g. 2025-S1 [default: every period; a report without
    /// --unit: each unit's active period].
    #[arg(long)]
    pub period: Option<String>,
    /// Only this service (jenis layanan).
    #[arg(long)]
    pub service: Option<String>,
    /// Only this channel: interview, paper, kiosk or web.
    #[arg(long)]
    pub channel: Option<String>,
    /// Only responses captured by this enumerator (as devices name who captured them).
    #[arg(long)]
    pub enumerator: Option<String>,
    /// Only responses captured on or after this day, YYYY-MM-DD, in this machine's time zone.
    #[arg(long, value_name = "DATE", value_parser = report::parse_day)]
    pub from: Option<NaiveDate>,
    /// Only responses captured on or before this day, YYYY-MM-DD, in this machine's time zone.
    #[arg(long, value_name = "DATE", value_parser = report::parse_day)]
    pub to: Option<NaiveDate>,
}

impl FilterArgs {
    fn filter(self) -> Result<ReportFilter> {
        let days = Days::new(self.from, self.to).map_err(|_| {
            crate::Error::Usage(format!(
                "--to {} comes before --from {}: the last day must not come before the first",
                self.to.map(|d| d.to_string()).unwrap_or_default(),
                self.from.map(|d| d.to_string()).unwrap_or_default()
            ))
        })?;
        Ok(ReportFilter {
            period: self.period,
            service: self.service,
            channel: self.channel,
            enumerator: self.enumerator,
            days,
        })
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Directory holding the database.
    #[arg(long, env = "SIMPUL_DATA")]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database instead of a data folder, shared by several server
    /// processes: postgres://USER@HOST:PORT/DATABASE, with ?sslmode=require for TLS.
    #[arg(long, env = "SIMPUL_DATABASE")]
    pub database: Option<String>,
    /// The unit's code; without it, every unit side by side.
    #[arg(long)]
    pub unit: Option<String>,
    /// Without --unit: only the units of this instansi.
    #[arg(long, conflicts_with = "unit")]
    pub instansi: Option<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// `exact` (1/number of unsur) or `template` (the printed 0,111).
    #[arg(long, default_value = "exact", value_parser = parse_weighting)]
    pub weight: Weighting,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// With --unit: also write the report as a spreadsheet (Ringkasan, Pengolahan, Data).
    #[arg(long, requires = "unit")]
    pub xlsx: Option<PathBuf>,
    /// With --unit: also write the official report (BAB I–V, RTL, rekapitulasi) as a PDF,
    /// of --period or else the unit's active period.
    #[arg(long, requires = "unit")]
    pub pdf: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConflictsArgs {
    /// Directory holding the database.
    #[arg(long, env = "SIMPUL_DATA")]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database instead of a data folder, shared by several server
    /// processes: postgres://USER@HOST:PORT/DATABASE, with ?sslmode=require for TLS.
    #[arg(long, env = "SIMPUL_DATABASE")]
    pub database: Option<String>,
    /// Only this unit.
    #[arg(long)]
    pub unit: Option<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A unit's responses as CSV: the columns of a device's `simpul export csv`, then the
    /// review and its note. Written to a temporary file and renamed, so an interrupted export
    /// leaves no half file.
    Csv(ExportCsvArgs),
}

#[derive(Debug, Args)]
pub struct ExportCsvArgs {
    /// Directory holding the database.
    #[arg(long, env = "SIMPUL_DATA")]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database instead of a data folder, shared by several server
    /// processes: postgres://USER@HOST:PORT/DATABASE, with ?sslmode=require for TLS.
    #[arg(long, env = "SIMPUL_DATABASE")]
    pub database: Option<String>,
    /// The unit's code.
    #[arg(long)]
    pub unit: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

fn parse_weighting(raw: &str) -> std::result::Result<Weighting, simpul_survey::Error> {
    Weighting::parse(raw)
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Directory holding the database (created if missing).
    #[arg(long, env = "SIMPUL_DATA")]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database instead of a data folder, shared by several server
    /// processes: postgres://USER@HOST:PORT/DATABASE, with ?sslmode=require for TLS.
    #[arg(long, env = "SIMPUL_DATABASE")]
    pub database: Option<String>,
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8080].
    #[arg(long, env = "SIMPUL_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Largest request body in bytes [default: 8 MiB].
    #[arg(long, env = "SIMPUL_BODY_LIMIT")]
    pub body_limit: Option<usize>,
    /// Connections served at once; more wait in the listen queue [default: half the
    /// open-file limit, at most 8192].
    #[arg(long, env = "SIMPUL_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Log as text or as JSON lines [default: text].
    #[arg(long, env = "SIMPUL_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Answer sets one address may send through one survey link in an hour [default: 200].
    #[arg(long, env = "SIMPUL_WEB_ANSWERS_PER_HOUR")]
    pub web_answers_per_hour: Option<u32>,
    /// JSON file of settings, under the environment and the flags.
    #[arg(long, env = "SIMPUL_CONFIG")]
    pub config: Option<PathBuf>,
    /// Run as a district relay of this upstream server: the office's devices sync here, and
    /// their work goes up (and the upstream's comes down) whenever the upstream answers.
    #[arg(long, env = "SIMPUL_UPSTREAM")]
    pub upstream: Option<String>,
    /// The relay code from `admin enrol-code --relay`, needed on the relay's first start.
    #[arg(long, requires = "upstream")]
    pub code: Option<String>,
    /// The relay's name in the upstream's device list.
    #[arg(long, requires = "upstream", default_value = "relay")]
    pub relay_name: String,
    /// Seconds between the relay's attempts to reach the upstream while it answers; up to
    /// ten times as long while it does not.
    #[arg(long, requires = "upstream", default_value_t = 30)]
    pub forward_every: u64,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The relay's data folder.
    #[arg(long, env = "SIMPUL_DATA")]
    pub data: PathBuf,
    /// Text for people, or JSON for scripts.
    #[arg(long, value_enum, default_value = "text")]
    pub format: StatusFormat,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum StatusFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct AdminArgs {
    /// Directory holding the database.
    #[arg(long, env = "SIMPUL_DATA", global = true)]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database instead of a data folder, shared by several server
    /// processes: postgres://USER@HOST:PORT/DATABASE, with ?sslmode=require for TLS.
    #[arg(long, env = "SIMPUL_DATABASE", global = true)]
    pub database: Option<String>,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Public-service units, whose devices share their changes.
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Print a one-time code (last line) that enrols one device into a unit within 7 days;
    /// with --relay, a district relay into several units (--units or --instansi).
    EnrolCode {
        /// The unit's code.
        #[arg(long, required_unless_present = "relay", conflicts_with = "relay")]
        unit: Option<String>,
        /// A code for a district relay (`serve --upstream URL --code CODE`), which then
        /// carries the units' devices and their data.
        #[arg(long)]
        relay: bool,
        /// The units the relay carries, separated by commas.
        #[arg(
            long,
            value_delimiter = ',',
            requires = "relay",
            required_unless_present_any = ["unit", "instansi"],
            conflicts_with = "instansi"
        )]
        units: Vec<String>,
        /// Every unit of this instansi, as it is now.
        #[arg(long, requires = "relay")]
        instansi: Option<String>,
    },
    /// Enrolled devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// People who sign in to the web: admins, supervisors and viewers.
    #[command(subcommand)]
    User(UserCommand),
    /// Survey links, where respondents answer on their own phone.
    #[command(subcommand)]
    Link(LinkCommand),
    /// Invitations: each recipient of a CSV (name, phone, email, service, service_date)
    /// gets a link of their own for one answer set, by e-mail (`--send`) or in an outbox CSV
    /// for SMS and WhatsApp gateways (`--outbox`); `--remind-after DAYS` reminds, once, those
    /// who have not answered; `--list` shows what became of each.
    Invite(InviteArgs),
    /// Paper questionnaires with pre-numbered serials, each with a QR code of its own
    /// survey address: answered on paper or by phone, a sheet is one response.
    PaperForms {
        #[arg(long)]
        unit: String,
        #[arg(long, value_parser = parse_period)]
        period: PeriodCode,
        /// The first serial's number.
        #[arg(long, default_value_t = 1)]
        from: u32,
        /// How many sheets (at most 1000).
        #[arg(long)]
        count: u32,
        /// The serials' prefix: K gives K-001, K-002, …
        #[arg(long, default_value = "K")]
        prefix: String,
        /// The PDF to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        public: PublicUrl,
    },
    /// After restoring the database by other means than `restore-backup` (`pg_restore`, a
    /// file copied back): give its change log a new identity, with every server of it
    /// stopped, so that devices send again at their next sync whatever it lacks.
    MarkRestored,
}

/// Where respondents reach this server, for the addresses printed and sent.
#[derive(Debug, Args)]
pub struct PublicUrl {
    /// The address respondents reach this server by, e.g. https://skm.example.go.id.
    #[arg(
        long,
        env = "SIMPUL_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    #[arg(long)]
    pub unit: String,
    /// Recipients to invite; the whole file is refused, naming each bad line, if any is bad.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// The period the invitations collect for; without it, the unit's active one.
    #[arg(long, value_parser = parse_period)]
    pub period: Option<PeriodCode>,
    /// E-mail the invitations (or reminders) not yet sent.
    #[arg(long)]
    pub send: bool,
    /// Write the SMS and WhatsApp messages (phone, message, wa.me link) to this CSV.
    #[arg(long)]
    pub outbox: Option<PathBuf>,
    /// Remind, once, those invited at least this many days ago who have not answered.
    #[arg(long, conflicts_with = "csv")]
    pub remind_after: Option<u32>,
    /// Print every invitation of the unit with what became of it.
    #[arg(long, conflicts_with_all = ["csv", "remind_after"])]
    pub list: bool,
    #[command(flatten)]
    pub public: PublicUrl,
    /// The SMTP server, e.g. smtps://user:password@mail.example.go.id.
    #[arg(long, env = "SIMPUL_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender, e.g. "SKM Disdukcapil <skm@example.go.id>".
    #[arg(long, env = "SIMPUL_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// JSON file of settings (`smtp_url`, `smtp_from`), under the environment and the flags.
    #[arg(long, env = "SIMPUL_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Create a link for a unit; prints its address (last line).
    Add {
        /// The unit's code.
        #[arg(long)]
        unit: String,
        /// The service every answer is about; respondents are then not asked.
        #[arg(long)]
        service: Option<String>,
        /// The period it collects for; without it, the unit's active period at each answer.
        #[arg(long, value_parser = parse_period)]
        period: Option<PeriodCode>,
        #[command(flatten)]
        public: PublicUrl,
    },
    /// Stop a link taking answers; what it took stays.
    Close { token: String },
    /// An A4 poster of a link for the counter: the unit, the QR code, the short address.
    Poster {
        token: String,
        /// The PDF to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        public: PublicUrl,
    },
    /// A unit's links, newest first: token, service, period, answers, open or closed.
    List {
        #[arg(long)]
        unit: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person. The password is read from standard input, never from the command line.
    Add {
        name: String,
        /// admin, supervisor or viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A supervisor or viewer of every unit of this instansi.
        #[arg(long, conflicts_with = "units")]
        instansi: Option<String>,
        /// A supervisor or viewer of these units.
        #[arg(long, value_delimiter = ',')]
        units: Vec<String>,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Everyone, with their role, scope and whether they are disabled.
    List,
    /// Stop a person signing in; their sessions end, their decisions stay.
    Disable { name: String },
    /// Set a person's password, read from standard input; their sessions end.
    Password {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn parse_role(raw: &str) -> std::result::Result<Role, String> {
    Role::parse(raw).map_err(|error| error.to_string())
}

#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Add a unit.
    Add {
        /// A stable code such as U-CAPIL.
        code: String,
        /// The unit's name, as people know it.
        #[arg(long)]
        name: String,
        /// The instansi (district or agency) it belongs to: reports group and pool by it.
        #[arg(long)]
        instansi: Option<String>,
        #[command(flatten)]
        settings: UnitSettingsArgs,
    },
    /// Change a unit's active period, population or form (devices get it at their next
    /// sync), or its instansi.
    Set {
        code: String,
        #[command(flatten)]
        settings: UnitSettingsArgs,
        /// Put the unit in this instansi.
        #[arg(long)]
        instansi: Option<String>,
        /// Take the unit out of its instansi.
        #[arg(long, conflicts_with = "instansi")]
        no_instansi: bool,
    },
    /// List units.
    List,
}

#[derive(Debug, clap::Args)]
pub struct UnitSettingsArgs {
    /// The active survey period, e.g. 2025-S1.
    #[arg(long, value_parser = parse_period)]
    pub period: Option<PeriodCode>,
    /// Service users in the previous period: the sample-size target follows from it.
    #[arg(long)]
    pub population: Option<u64>,
    /// The form new responses use, e.g. skm-2017.
    #[arg(long)]
    pub form: Option<String>,
}

fn parse_period(raw: &str) -> std::result::Result<PeriodCode, String> {
    PeriodCode::parse(raw).map_err(|error| Error::from(error).to_string())
}

impl From<UnitSettingsArgs> for UnitSettings {
    fn from(args: UnitSettingsArgs) -> Self {
        UnitSettings {
            name: None,
            period: args.period,
            population: args.population,
            form: args.form,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// List devices, revoked ones included.
    List,
    /// Refuse a device's token from its next request on.
    Revoke {
        /// As printed by `device list`.
        device_id: String,
    },
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Status(args) => relay_status(&args),
        Command::Admin(args) => run_admin(args),
        Command::Report(args) => report(args),
        Command::Conflicts(args) => conflicts(args),
        Command::Export(ExportCommand::Csv(args)) => {
            let unit = UnitCode::parse(&args.unit)?;
            let filter = args.filter.filter()?;
            let storage = caught_up(args.data, args.database)?;
            let storage = &*storage;
            if storage.unit(&unit)?.is_none() {
                return Err(crate::Error::UnknownUnit(unit.to_string()));
            }
            let n = export::export_csv(storage, &unit, &filter, &args.out)?;
            println!("{n} responses of {unit} written to {}", args.out.display());
            Ok(())
        }
        Command::Resolve(args) => {
            let (storage, decider) = decision(&args.decision)?;
            let storage = &*storage;
            decide::resolve(
                storage,
                args.decision.response,
                &args.field,
                &args.value,
                &decider,
            )?;
            println!("{} {}: {}", args.decision.response, args.field, args.value);
            Ok(())
        }
        Command::Review(args) => {
            let (storage, decider) = decision(&args.decision)?;
            let storage = &*storage;
            decide::review(
                storage,
                args.decision.response,
                args.state,
                args.note.as_deref(),
                &decider,
            )?;
            println!("{} {}", args.decision.response, args.state);
            Ok(())
        }
        Command::History(args) => {
            let storage = Database::choose(args.data, args.database)?.open_existing()?;
            let storage = &*storage;
            let entries = history::history(storage, args.response)?;
            if args.format == Format::Json {
                return print_json(&entries);
            }
            for entry in &entries {
                let wrote: Vec<String> = entry
                    .wrote
                    .iter()
                    .map(|(key, value)| format!("{key}={}", value.as_deref().unwrap_or("∅")))
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    entry
                        .at
                        .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true))
                        .unwrap_or_else(|| "-".into()),
                    entry.by.as_deref().unwrap_or("-"),
                    entry.from,
                    wrote.join(" ")
                );
            }
            Ok(())
        }
        Command::Delete(args) => set_deleted(&args, true),
        Command::Restore(args) => set_deleted(&args, false),
        Command::Backup(args) => {
            let database = Database::choose(args.data, args.database)?;
            let storage = SqliteStorage::open_existing(database.folder()?)?;
            let copied = storage.backup_to(&args.out)?;
            println!(
                "backup written to {}: {} changes, {} devices, {} bytes",
                args.out.display(),
                copied.changes,
                copied.devices,
                copied.bytes
            );
            Ok(())
        }
        Command::RestoreBackup(args) => {
            let database = Database::choose(args.data, args.database)?;
            let data = database.folder()?;
            let copied = SqliteStorage::restore(&args.from, data)?;
            println!(
                "{} restored from {}: {} changes, {} devices; devices send again what the \
                 backup lacks at their next sync",
                data.display(),
                args.from.display(),
                copied.changes,
                copied.devices
            );
            Ok(())
        }
    }
}

fn decision(args: &DecisionArgs) -> Result<(Arc<dyn Storage>, Decider)> {
    let storage = caught_up(args.data.clone(), args.database.clone())?;
    let decider = Decider {
        by: Name::parse("person", &args.by)?,
        at: Utc::now(),
    };
    Ok((storage, decider))
}

fn set_deleted(args: &DecisionArgs, deleted: bool) -> Result<()> {
    let (storage, decider) = decision(args)?;
    let storage = &*storage;
    decide::set_deleted(storage, args.response, deleted, &decider)?;
    println!(
        "{} {}",
        args.response,
        if deleted { "deleted" } else { "restored" }
    );
    Ok(())
}

/// Opens existing server data and brings the materialised tables up to the change log, so
/// that what is printed covers every change stored so far.
fn caught_up(data: Option<PathBuf>, database: Option<String>) -> Result<Arc<dyn Storage>> {
    let storage = Database::choose(data, database)?.open_existing()?;
    materialise::catch_up(&*storage)?;
    Ok(storage)
}

fn report(args: ReportArgs) -> Result<()> {
    let filter = args.filter.filter()?;
    let unit = args.unit.as_deref().map(UnitCode::parse).transpose()?;
    let scope = UnitScope {
        instansi: args
            .instansi
            .as_deref()
            .map(|i| Name::parse("instansi", i))
            .transpose()?,
        ..UnitScope::default()
    };
    let storage = caught_up(args.data, args.database)?;
    let storage = &*storage;
    let Some(unit) = unit else {
        let report = report::cross_unit_report(storage, &scope, &filter, args.weight)?;
        return match args.format {
            Format::Json => print_json(&report),
            Format::Text => print_cross_unit(&report),
        };
    };
    if storage.unit(&unit)?.is_none() {
        return Err(crate::Error::UnknownUnit(unit.to_string()));
    }
    let ikm = report::unit_report(storage, &unit, &filter, args.weight)?;
    if let Some(path) = &args.xlsx {
        let bytes = workbook::unit_workbook(storage, &unit, &filter, args.weight)?;
        safe_write::write_file(path, |out| Ok(out.write_all(&bytes)?))?;
    }
    if let Some(path) = &args.pdf {
        let period =
            official::report_period(storage, &unit, filter.period.as_deref()).map_err(|error| {
                match error {
                    Error::NoPeriod(unit) => Error::Usage(format!(
                        "unit {unit} has no active period: give --period for the PDF"
                    )),
                    other => other,
                }
            })?;
        let bytes = official::unit_pdf(storage, &unit, &period, args.weight, official::today())?;
        safe_write::write_file(path, |out| Ok(out.write_all(&bytes)?))?;
    }
    match args.format {
        Format::Json => print_json(&ikm),
        Format::Text => {
            println!(
                "IKM {unit}{}: {} — mutu {} ({}), n = {}",
                filter
                    .period
                    .as_deref()
                    .map(|p| format!(" periode {p}"))
                    .unwrap_or_default(),
                number(ikm.ikm),
                ikm.grade.map_or("—".to_string(), |g| format!("{g:?}")),
                ikm.grade_label.as_deref().unwrap_or("—"),
                ikm.n
            );
            for u in &ikm.unsur {
                println!("{}\tNRR {}\t{}", u.id, number(u.nrr), number(u.converted));
            }
            Ok(())
        }
    }
}

/// A figure as Indonesian reports print it: two decimals, a decimal comma; "—" for none.
fn number(value: Option<f64>) -> String {
    value.map_or("—".to_string(), |v| format!("{v:.2}").replace('.', ","))
}

/// The report across units as text: the units of each instansi, one per line, then the
/// instansi's pooled figure; at the end every listed unit pooled.
fn print_cross_unit(report: &CrossUnitReport) -> Result<()> {
    let pooled_line = |indent: &str, what: &str, p: &Pooled| {
        println!(
            "{indent}Gabungan (pooled){what}: n = {}, {} unit, IKM {} — mutu {}",
            p.n,
            p.units,
            number(p.ikm),
            p.grade.map_or("—", |g| g.letter())
        );
    };
    let mut units = report.units.iter().peekable();
    for group in &report.instansi {
        println!(
            "Instansi {}",
            group.instansi.as_deref().unwrap_or("(tanpa instansi)")
        );
        while let Some(line) = units.next_if(|u| u.instansi == group.instansi) {
            let target = match (line.target, line.target_met) {
                (Some(target), Some(true)) => format!("target {target}: Sesuai"),
                (Some(target), _) => format!("target {target}: Belum sesuai"),
                (None, _) => "target —".to_string(),
            };
            println!(
                "  {}\t{}\tperiode {}\tn = {}\tIKM {}\tmutu {}\t{target}\tterakhir diterima {}\t{} perangkat",
                line.unit,
                line.name,
                line.period.as_deref().unwrap_or("—"),
                line.n,
                number(line.ikm),
                line.grade.map_or("—", |g| g.letter()),
                line.last_received
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
                    .unwrap_or_else(|| "—".into()),
                line.devices
            );
        }
        pooled_line("  ", "", &group.pooled);
    }
    pooled_line("", " semua unit", &report.pooled);
    Ok(())
}

fn conflicts(args: ConflictsArgs) -> Result<()> {
    let filter = args.filter.filter()?;
    let unit = args.unit.as_deref().map(UnitCode::parse).transpose()?;
    let storage = caught_up(args.data, args.database)?;
    let storage = &*storage;
    if let Some(unit) = &unit
        && storage.unit(unit)?.is_none()
    {
        return Err(crate::Error::UnknownUnit(unit.to_string()));
    }
    let rows = storage.conflicts(unit.as_ref(), &filter)?;
    match args.format {
        Format::Json => print_json(&rows),
        Format::Text => {
            for row in &rows {
                let values: Vec<String> = row
                    .written
                    .iter()
                    .map(|w| {
                        format!(
                            "{} ({})",
                            w.value.as_deref().unwrap_or("kosong"),
                            w.by.as_deref().unwrap_or("?")
                        )
                    })
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    row.response,
                    row.serial.as_deref().unwrap_or("-"),
                    row.field,
                    values.join(" | ")
                );
            }
            Ok(())
        }
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value).expect("plain data");
    println!("{text}");
    Ok(())
}

fn serve(args: ServeArgs) -> Result<()> {
    let overrides = Layer {
        data: args.data,
        database: args.database,
        listen: args.listen,
        body_limit: args.body_limit,
        log_format: args.log_format,
        max_connections: args.max_connections,
        web_answers_per_hour: args.web_answers_per_hour,
        ..Layer::default()
    };
    let config = Config::load(args.config.as_deref(), overrides)?;
    telemetry::init(config.log_format);
    let relay = args.upstream.map(|upstream| relay::RelaySettings {
        upstream,
        code: args.code,
        name: args.relay_name,
        every: std::time::Duration::from_secs(args.forward_every.max(1)),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let folder = config.database.folder().ok().map(PathBuf::from);
        let app = Application::build(config).await?;
        let forwarder = match relay {
            None => None,
            Some(settings) => {
                let folder = folder.ok_or(Error::RelayOnPostgres)?;
                let storage = app.storage();
                let every = settings.every;
                // Enrolling upstream (first start only) before serving: a relay that is not
                // enrolled has no units for the office's devices to enrol into.
                let (state, upstream) = tokio::task::spawn_blocking(move || {
                    relay::prepare(storage.as_ref(), &folder, &settings)
                })
                .await
                .map_err(std::io::Error::other)??;
                let stop = Arc::new(AtomicBool::new(false));
                let thread = relay::spawn_forwarder(
                    app.storage(),
                    state,
                    upstream,
                    every,
                    Arc::clone(&stop),
                )?;
                Some((thread, stop))
            }
        };
        // Scripts and tests read the address from here, which matters when port 0 was asked.
        println!("listening on http://{}", app.local_addr());
        std::io::stdout().flush()?;
        let served = app.run_until_stopped().await;
        if let Some((thread, stop)) = forwarder {
            stop.store(true, Ordering::SeqCst);
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        served
    })
}

fn relay_status(args: &StatusArgs) -> Result<()> {
    let state = relay::state::RelayState::open_existing(&args.data)?;
    let storage = SqliteStorage::open_existing(&args.data)?;
    let status = relay::status(&storage, &state)?;
    match args.format {
        StatusFormat::Json => {
            let json = serde_json::to_string_pretty(&status).map_err(std::io::Error::other)?;
            println!("{json}");
        }
        StatusFormat::Text => {
            println!("upstream: {}", status.upstream.as_deref().unwrap_or("-"));
            println!("unit\twaiting to go up\tlast contact\tlast error");
            for unit in &status.units {
                println!(
                    "{}\t{}\t{}\t{}",
                    unit.unit,
                    unit.waiting,
                    unit.last_contact.map_or("never".to_string(), |at| at
                        .to_rfc3339_opts(SecondsFormat::Secs, true)),
                    unit.last_error.as_deref().unwrap_or("-")
                );
            }
        }
    }
    Ok(())
}

fn run_admin(args: AdminArgs) -> Result<()> {
    let database = Database::choose(args.data, args.database)?;
    // Only adding a unit may start a new server's data; everything else needs an existing one.
    let storage = match &args.command {
        AdminCommand::Unit(UnitCommand::Add { .. }) => database.open()?,
        _ => database.open_existing()?,
    };
    let storage = &*storage;
    let now = Utc::now();
    match args.command {
        AdminCommand::Unit(UnitCommand::Add {
            code,
            name,
            instansi,
            settings,
        }) => {
            let unit = admin::add_unit_in(
                storage,
                &code,
                &name,
                instansi.as_deref(),
                settings.into(),
                now,
            )?;
            match &unit.instansi {
                Some(instansi) => {
                    println!("added unit {} ({}) in {instansi}", unit.code, unit.name)
                }
                None => println!("added unit {} ({})", unit.code, unit.name),
            }
        }
        AdminCommand::Unit(UnitCommand::Set {
            code,
            settings,
            instansi,
            no_instansi,
        }) => {
            let settings: UnitSettings = settings.into();
            let instansi_given = instansi.is_some() || no_instansi;
            // Checked before anything is written: a bad name changes nothing.
            if let Some(name) = &instansi {
                Name::parse("instansi", name)?;
            }
            let mut changed = false;
            if !instansi_given || settings != UnitSettings::default() {
                changed |= admin::configure_unit(storage, &code, &settings, now)?;
            }
            if instansi_given {
                let unit = admin::set_instansi(storage, &code, instansi.as_deref())?;
                println!(
                    "unit {code}: instansi {}",
                    unit.instansi.as_ref().map_or("(none)", Name::as_str)
                );
                changed = true;
            }
            println!(
                "unit {code}: {}",
                if changed { "updated" } else { "unchanged" }
            );
        }
        AdminCommand::Unit(UnitCommand::List) => {
            for unit in admin::units(storage)? {
                println!(
                    "{}\t{}\t{}",
                    unit.code,
                    unit.name,
                    unit.instansi.as_ref().map_or("-", Name::as_str)
                );
            }
        }
        AdminCommand::EnrolCode {
            unit: None,
            units,
            instansi,
            ..
        } => {
            let units = match instansi {
                Some(name) => RelayUnits::Instansi(name),
                None => RelayUnits::Listed(units),
            };
            let issued = admin::issue_relay_code(storage, &units, now)?;
            println!(
                "one-time enrolment code for a relay carrying {} unit(s), valid until {}:",
                issued.units.len(),
                issued.expires_at.to_rfc3339_opts(SecondsFormat::Secs, true)
            );
            for unit in &issued.units {
                println!("  {}\t{}", unit.code, unit.name);
            }
            println!("{}", issued.code.expose());
        }
        AdminCommand::EnrolCode {
            unit: Some(unit), ..
        } => {
            let issued = admin::issue_enrolment_code(storage, &unit, now)?;
            println!(
                "one-time enrolment code for unit {} ({}), valid until {}:",
                issued.unit.code,
                issued.unit.name,
                issued.expires_at.to_rfc3339_opts(SecondsFormat::Secs, true)
            );
            println!("{}", issued.code.expose());
        }
        AdminCommand::Device(DeviceCommand::List) => {
            println!("id\tunit\tstatus\tenrolled\tname");
            for device in admin::devices(storage)? {
                println!("{}", device_line(&device));
            }
        }
        AdminCommand::Device(DeviceCommand::Revoke { device_id }) => {
            let device = admin::revoke_device(storage, &device_id, now)?;
            println!("revoked {}", device_line(&device));
        }
        AdminCommand::MarkRestored => {
            let id = storage.renew_log_id()?;
            println!(
                "change log {id}: devices pull again from the start and send again what the \
                 database lacks at their next sync; start the servers now"
            );
        }
        AdminCommand::User(command) => run_user(storage, command, now)?,
        AdminCommand::Link(command) => run_link(storage, command, now)?,
        AdminCommand::Invite(args) => invite(storage, args, now)?,
        AdminCommand::PaperForms {
            unit,
            period,
            from,
            count,
            prefix,
            out,
            public,
        } => {
            let unit = UnitCode::parse(&unit)?;
            let sheets = printed::Sheets {
                prefix,
                from,
                count,
            };
            let admin = Name::parse("person", "admin")?;
            let link = links::paper_link(storage, &unit, &period, &admin, now)?;
            let pdf =
                links::questionnaires_pdf(storage, &link, &period, &public.public_url, &sheets)?;
            safe_write::write_file(&out, |file| Ok(file.write_all(&pdf)?))?;
            println!(
                "{count} questionnaires of {unit} for {period} (link {}) written to {}",
                link.token,
                out.display()
            );
        }
    }
    Ok(())
}

fn invite(storage: &dyn Storage, args: InviteArgs, now: DateTime<Utc>) -> Result<()> {
    let unit = UnitCode::parse(&args.unit)?;
    let about = storage
        .unit(&unit)?
        .ok_or_else(|| Error::UnknownUnit(unit.to_string()))?;
    // Settled before anything is imported: `--send` without a mail server refuses the file
    // instead of storing invitations it cannot send.
    let mailer = if args.send {
        let file = args
            .config
            .as_deref()
            .map(Layer::from_file)
            .transpose()?
            .unwrap_or_default();
        let url = args.smtp_url.clone().or(file.smtp_url);
        let from = args.smtp_from.clone().or(file.smtp_from);
        match (url, from) {
            (Some(url), Some(from)) => Some(Mailer::new(&url, &from)?),
            _ => {
                return Err(Error::Mail(
                    "set smtp_url and smtp_from (flags, SIMPUL_SMTP_URL and SIMPUL_SMTP_FROM, \
                     or the configuration file) to send e-mail"
                        .into(),
                ));
            }
        }
    } else {
        None
    };
    let outcome = if args.list {
        let invitations = storage.invitations(&unit)?;
        println!("token\tname\tsent\topened\tanswered\topted out");
        let day =
            |t: Option<DateTime<Utc>>| t.map_or("-".to_string(), |t| t.date_naive().to_string());
        for i in &invitations {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                i.token,
                i.name,
                day(i.sent_at),
                day(i.opened_at),
                day(i.answered_at),
                day(i.opted_out_at)
            );
        }
        invitations::Tally::of(&invitations)
    } else if let Some(days) = args.remind_after {
        let due: Vec<_> = storage
            .invitations(&unit)?
            .into_iter()
            .filter(|i| invitations::due_reminder(i, days, now))
            .collect();
        let sent = deliver(storage, &about, &due, &args, mailer.as_ref(), true, now)?;
        println!("{sent} reminders for unit {unit}");
        invitations::Tally::of(&storage.invitations(&unit)?)
    } else {
        let path = args.csv.as_ref().ok_or_else(|| Error::InvalidValue {
            what: "invite",
            value: String::new(),
            reason: "give --csv FILE to invite, --remind-after DAYS to remind, or --list",
        })?;
        let file = std::fs::File::open(path).map_err(|source| Error::DataDir {
            path: path.clone(),
            source,
        })?;
        let recipients = invitations::read_csv(std::io::BufReader::new(file))?;
        let tokens = recipients
            .into_iter()
            .map(|r| Ok((LinkToken::generate()?, r)))
            .collect::<Result<Vec<_>>>()?;
        let period = match args.period.clone() {
            Some(period) => Some(period),
            None => storage
                .active_period(&unit)?
                .map(|p| PeriodCode::parse(&p))
                .transpose()?,
        };
        storage.add_invitations(
            &unit,
            period.as_ref(),
            &tokens,
            &Name::parse("person", "admin")?,
            now,
        )?;
        let new: Vec<_> = tokens
            .iter()
            .map(|(token, _)| storage.invitation(token))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        println!("{} invitations for unit {unit}", new.len());
        deliver(storage, &about, &new, &args, mailer.as_ref(), false, now)?;
        invitations::Tally::of(&storage.invitations(&unit)?)
    };
    println!("{outcome}");
    Ok(())
}

/// E-mails (`--send`) and writes to the outbox (`--outbox`) these invitations, marking each
/// one sent (or reminded) as soon as it has gone: a failure halfway keeps what went marked.
fn deliver(
    storage: &dyn Storage,
    unit: &crate::model::Unit,
    invitations: &[invitations::Invitation],
    args: &InviteArgs,
    mailer: Option<&Mailer>,
    reminder: bool,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mark = if reminder {
        InvitationMark::Reminded
    } else {
        InvitationMark::Sent
    };
    let url = |i: &invitations::Invitation| {
        format!(
            "{}/f/{}",
            args.public.public_url.trim_end_matches('/'),
            i.token
        )
    };
    let mut delivered = 0;
    if let Some(path) = &args.outbox {
        let rows: Vec<_> = invitations.iter().map(|i| (i.clone(), url(i))).collect();
        let written = safe_write::write_file(path, |out| {
            invitations::write_outbox(out, unit.name.as_str(), &rows)
        })?;
        let handed: Vec<LinkToken> = invitations
            .iter()
            .filter(|i| i.phone.is_some() && i.opted_out_at.is_none())
            .map(|i| i.token.clone())
            .collect();
        storage.mark_invitations(&handed, mark, now)?;
        println!("{written} messages in the outbox {}", path.display());
        delivered += written;
    }
    if let Some(mailer) = mailer {
        let mut mailed = 0;
        for invitation in invitations.iter().filter(|i| i.email.is_some()) {
            mailer.send(unit.name.as_str(), invitation, &url(invitation), reminder)?;
            storage.mark_invitations(std::slice::from_ref(&invitation.token), mark, now)?;
            mailed += 1;
        }
        println!("{mailed} e-mails sent");
        delivered += mailed;
    }
    Ok(delivered)
}

fn run_link(storage: &dyn Storage, command: LinkCommand, now: DateTime<Utc>) -> Result<()> {
    match command {
        LinkCommand::Add {
            unit,
            service,
            period,
            public,
        } => {
            let new = NewLink {
                unit: UnitCode::parse(&unit)?,
                service: links::parse_service(service.as_deref())?,
                period,
                created_by: Name::parse("person", "admin")?,
            };
            let link = storage.add_link(&LinkToken::generate()?, &new, now)?;
            println!(
                "survey link for unit {}{}{}:",
                link.unit,
                link.service
                    .as_ref()
                    .map_or(String::new(), |s| format!(", service {s}")),
                link.period
                    .as_ref()
                    .map_or(String::new(), |p| format!(", period {p}")),
            );
            println!("{}", link.url(&public.public_url));
        }
        LinkCommand::Close { token } => {
            let link = storage.close_link(&LinkToken::parse(&token)?, now)?;
            println!(
                "closed link {} of unit {} ({} answers)",
                link.token, link.unit, link.answers
            );
        }
        LinkCommand::Poster { token, out, public } => {
            let link = storage
                .link(&LinkToken::parse(&token)?)?
                .ok_or_else(|| crate::Error::UnknownLink(token.clone()))?;
            let pdf = links::poster_pdf(storage, &link, &public.public_url)?;
            safe_write::write_file(&out, |file| Ok(file.write_all(&pdf)?))?;
            println!("poster of link {} written to {}", link.token, out.display());
        }
        LinkCommand::List { unit } => {
            let unit = UnitCode::parse(&unit)?;
            if storage.unit(&unit)?.is_none() {
                return Err(crate::Error::UnknownUnit(unit.to_string()));
            }
            println!("token\tservice\tperiod\tanswers\tstate");
            for link in storage.links(&unit)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    link.token,
                    link.service.as_deref().unwrap_or("-"),
                    link.period.as_ref().map_or("-", PeriodCode::as_str),
                    link.answers,
                    if link.is_open() { "open" } else { "closed" }
                );
            }
        }
    }
    Ok(())
}

fn run_user(storage: &dyn Storage, command: UserCommand, now: DateTime<Utc>) -> Result<()> {
    match command {
        UserCommand::Add {
            name,
            role,
            instansi,
            units,
            ..
        } => {
            let password = password_from_stdin()?;
            let person = admin::add_person(
                storage,
                &name,
                role,
                instansi.as_deref(),
                &units,
                &password,
                now,
            )?;
            println!(
                "added {} ({}, {})",
                person.name,
                person.role,
                scope_text(&person.scope)
            );
        }
        UserCommand::List => {
            println!("name\trole\tscope\tstatus");
            for person in storage.people()? {
                println!(
                    "{}\t{}\t{}\t{}",
                    person.name,
                    person.role,
                    scope_text(&person.scope),
                    if person.disabled {
                        "disabled"
                    } else {
                        "active"
                    }
                );
            }
        }
        UserCommand::Disable { name } => {
            admin::disable_person(storage, &name, now)?;
            println!("disabled {name}");
        }
        UserCommand::Password { name, .. } => {
            let password = password_from_stdin()?;
            admin::set_password(storage, &name, &password)?;
            println!("password of {name} changed; their sessions ended");
        }
    }
    Ok(())
}

fn password_from_stdin() -> Result<Password> {
    let mut raw = String::new();
    std::io::stdin().read_line(&mut raw)?;
    Password::parse(&raw)
}

fn scope_text(scope: &Scope) -> String {
    match scope {
        Scope::Everything => "every unit".into(),
        Scope::Instansi(instansi) => format!("instansi {instansi}"),
        Scope::Units(units) => {
            let codes: Vec<&str> = units.iter().map(UnitCode::as_str).collect();
            format!("units {}", codes.join(","))
        }
    }
}

fn device_line(device: &DeviceRecord) -> String {
    let status = match device.revoked_at {
        Some(at) => format!("revoked {}", at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        None => "active".to_string(),
    };
    format!(
        "{}\t{}\t{}\t{}\t{}",
        device.id,
        device.unit,
        status,
        device
            .enrolled_at
            .to_rfc3339_opts(SecondsFormat::Secs, true),
        device.name
    )
}
