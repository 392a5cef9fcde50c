//! `simpul-server`: where Simpul devices meet. Enumerators' tablets and laptops capture
//! survey responses offline as Automerge changes; whenever a connection appears they send
//! this server the changes it lacks and fetch the ones their unit's other devices made.
//!
//! # The flow
//!
//! 1. An administrator adds a unit and issues a one-time enrolment code
//!    (`simpul-server admin unit add U-CAPIL --name …`, `admin enrol-code --unit U-CAPIL`;
//!    the same actions as functions in [`admin`]).
//! 2. The device exchanges the code for a bearer token at `POST /v1/enrol`
//!    ([`routes::enrol`]). Codes and tokens are stored only as SHA-256 hashes ([`secret`]);
//!    an address that keeps presenting wrong codes is made to wait ([`throttle`]).
//! 3. From then on every round trip is one `POST /v1/sync` ([`routes::sync`]): the device
//!    pushes a batch frame of its new changes and gets back a frame of its unit's changes
//!    after its cursor. [`exchange`] validates every pushed change with Automerge — never
//!    loading a document — and the [`storage`] stores them by hash, durably, before the
//!    answer leaves. The wire format and headers are specified in `simpul_protocol::http`.
//! 4. `admin device revoke` shuts a device out at its next request: tokens are checked
//!    against the database on every request ([`auth`]).
//! 5. Behind the change log, [`materialise`] reads every stored change into its document
//!    with the devices' own reader (`simpul_document`) and keeps responses, answers and
//!    conflicts per unit; [`report`] computes the IKM from them with `simpul_survey`, as a
//!    device does — one unit's, or every unit's (an instansi's) side by side and pooled —
//!    and [`export`] writes a unit's responses as the CSV a device exports; [`official`]
//!    typesets the official report of a unit and period as a PDF, with the follow-up plan
//!    and narrative a unit keeps beside it ([`plan`]). Supervisors' decisions ([`decide`]: settling a conflict, a review,
//!    deleting, restoring) are ordinary changes the server writes, which devices pull; a
//!    response's [`history`] is read from its Automerge history.
//!
//! Every pushed change is checked with `simpul_document::admission` before it is stored: it
//! must be able to belong to a response of the pushing device's own unit. The cursor
//! contract that keeps pulls gap-free under concurrent pushes is explained on [`storage`] and
//! proven by the `concurrency` integration test.
//!
//! # Example
//!
//! ```
//! use chrono::Utc;
//! use simpul_server::{Application, Config, admin};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let mut config = Config::new(dir.path());
//! config.listen = "127.0.0.1:0".parse()?; // any free port
//!
//! let runtime = tokio::runtime::Runtime::new()?;
//! runtime.block_on(async {
//!     let app = Application::build(config).await?;
//!     let storage = app.storage();
//!     admin::add_unit(storage.as_ref(), "U-CAPIL", "Dinas Kependudukan", Default::default(), Utc::now())?;
//!     let issued = admin::issue_enrolment_code(storage.as_ref(), "U-CAPIL", Utc::now())?;
//!
//!     assert_ne!(app.port(), 0);
//!     assert_eq!(issued.code.expose().len(), "KQ7M-4XPA-2H".len());
//!     // `app.run_until_stopped().await` would now serve until SIGTERM or Ctrl-C.
//!     Ok::<_, simpul_server::Error>(())
//! })?;
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! [`config`] and [`cli`] read settings and commands; [`startup`] binds and wires the
//! [`routes`], and [`connections`] serves them, limiting what each connection may hold;
//! [`error`] turns every failure into one JSON shape; [`storage`] hides SQLite behind a
//! trait; [`model`] holds the parsed nouns.

pub mod admin;
pub mod answer_writer;
pub mod auth;
pub mod cli;
pub mod config;
pub mod connections;
pub mod database;
pub mod decide;
pub mod error;
pub mod exchange;
pub mod export;
pub mod history;
pub mod invitations;
pub mod links;
pub mod mail;
pub mod materialise;
pub mod metrics;
pub mod model;
pub mod official;
pub mod overview;
pub mod people;
pub mod plan;
pub mod printed;
pub mod publication;
pub mod relay;
pub mod report;
pub mod routes;
pub mod safe_write;
pub mod saran;
pub mod secret;
pub mod sessions;
pub mod startup;
pub mod state;
pub mod storage;
pub mod summary;
pub mod telemetry;
pub mod throttle;
pub mod unit_document;
pub mod web_answer;
pub mod workbook;

pub use config::Config;
pub use error::{AppError, Error, Result};
pub use startup::{Application, router};
pub use state::AppState;
