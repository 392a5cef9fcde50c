//! The SKM (Survei Kepuasan Masyarakat) domain, pure: forms, answers, validation, IKM scoring
//! and sample sizes. No I/O — storage, sync and the command line build on these types.
//!
//! # A guided tour
//!
//! Every Indonesian public-service unit must survey its users at least once a year under
//! PermenPANRB 14/2017 and publish the resulting IKM (Indeks Kepuasan Masyarakat), a 25–100
//! figure with a mutu pelayanan grade A–D.
//!
//! 1. A [`Form`] says what a questionnaire asks. [`skm_2017`] is the standard one: a
//!    respondent profile, the nine unsur questions U1–U9 scored 1–4, and a suggestion.
//!    Forms are data, because agencies reorder and reword them.
//! 2. Raw input — a tablet field, a CSV column, a clerk's keystrokes — becomes an [`Answer`]
//!    through [`Form::parse_answer`]; once parsed, a value is valid. Errors name the item, the
//!    value and what is allowed, in Bahasa Indonesia ([`Error::localized`]) or English.
//! 3. [`Form::check_required`] tells whether a questionnaire is complete.
//! 4. Stored answers are summed per unsur into [`UnsurTally`] values, and [`compute`] turns
//!    them into an [`IkmReport`]: each unsur's NRR, the IKM, its grade, the weakest and strongest
//!    unsur. The weight is exact 1/9 unless [`Weighting::Template`] is asked for to reproduce
//!    a report made with the official spreadsheet.
//! 5. [`krejcie_morgan`] gives the minimum number of respondents for a unit's population.
//!
//! Every result records its [`Method`], because the archived KepMenPAN 25/2004 method grades on
//! looser bands and years can only be compared with that in view.
//!
//! ```
//! use simpul_survey::{compute, krejcie_morgan, round_to_hundredths, skm_2017};
//! use simpul_survey::{Answer, Grade, Lang, UnsurTally, Weighting};
//!
//! let form = skm_2017();
//!
//! // A clerk types one paper questionnaire; "gender" is an alias of `jenis_kelamin`.
//! let typed = [("gender", "p"), ("U1", "3"), ("U2", "4"), ("U3", "2"), ("U4", "4"),
//!              ("U5", "3"), ("U6", "3"), ("U7", "4"), ("U8", "3"), ("U9", "3")];
//! let mut answers = Vec::new();
//! for (name, raw) in typed {
//!     let item = form.find_item(name).expect("a column of the form");
//!     if let Some(answer) = form.parse_answer(&item.id, raw)? {
//!         answers.push((item.id.clone(), answer));
//!     }
//! }
//! assert_eq!(answers[0].1, Answer::Choice("P".into()));
//! form.check_required(|id| answers.iter().any(|(item, _)| item == id))?;
//!
//! // A typo is caught at the boundary, with a message for the counter.
//! let err = form.parse_answer("U3", "7").unwrap_err();
//! assert!(err.localized(Lang::Id).starts_with("isian U3: `7` tidak diterima"));
//!
//! // Tallies per unsur, as a GROUP BY over stored answers would give them.
//! let tallies: Vec<UnsurTally> = answers
//!     .iter()
//!     .filter_map(|(id, answer)| match answer {
//!         Answer::Score(s) => Some(UnsurTally { id: id.clone(), total: s.get().into(), n: 1 }),
//!         _ => None,
//!     })
//!     .collect();
//! let report = compute(form.method, Weighting::Exact, 1, &tallies);
//! assert_eq!(round_to_hundredths(report.ikm.unwrap()), 80.56);
//! assert_eq!(report.grade, Some(Grade::B));
//! assert_eq!(report.weakest.as_deref(), Some("U3"));
//!
//! // A unit that served 1 000 people last period needs 278 respondents.
//! assert_eq!(krejcie_morgan(1000), 278);
//! # Ok::<(), simpul_survey::Error>(())
//! ```
#![warn(missing_docs)]

mod answer;
mod builtin;
mod day;
mod error;
mod form;
mod method;
mod sample;
mod score;
mod text;

pub use answer::{Answer, Score};
pub use builtin::{builtin, builtin_form, builtin_forms, skm_2004, skm_2017};
pub use day::{parse_day, show_day};
pub use error::{Error, Result};
pub use form::{Choice, Form, Item, ItemKind};
pub use method::{Grade, Method, Unsur, round_to_hundredths};
pub use sample::krejcie_morgan;
pub use score::{IkmReport, UnsurResult, UnsurTally, Weighting, compute};
pub use text::{Lang, Text};
