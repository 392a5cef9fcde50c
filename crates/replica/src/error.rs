//! The one error type of the replica crate.

use simpul_survey::Lang;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A short phrase in Bahasa Indonesia and English, for messages raised below the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phrase {
    pub id: &'static str,
    pub en: &'static str,
}

impl Phrase {
    pub const fn new(id: &'static str, en: &'static str) -> Phrase {
        Phrase { id, en }
    }

    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Id => self.id,
            Lang::En => self.en,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("document: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("invalid change for document {doc}: {source}")]
    InvalidChange {
        doc: uuid::Uuid,
        #[source]
        source: automerge::LoadChangeError,
    },
    #[error("change {hash} for document {doc} depends on a change of another document")]
    ForeignDependency { doc: uuid::Uuid, hash: String },
    #[error(transparent)]
    Survey(#[from] simpul_survey::Error),
    #[error(transparent)]
    Protocol(#[from] simpul_protocol::Error),
    #[error("i/o on {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("CSV line {line} is longer than {limit} bytes; nothing after it was read")]
    RecordTooLarge { line: u64, limit: u64 },
    #[error("no replica at {0}; run `simpul init` first")]
    NotInitialised(std::path::PathBuf),
    #[error("a replica already exists at {0}")]
    AlreadyInitialised(std::path::PathBuf),
    #[error("the replica at {0} is read-only: it can be read but not changed")]
    ReadOnly(std::path::PathBuf),
    #[error(
        "database schema version {found} is newer than this program knows ({known}); update Simpul"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("no response with id {0}")]
    UnknownResponse(String),
    #[error("unknown form `{0}`")]
    UnknownForm(String),
    #[error("invalid {} `{value}`: {}", what.en, reason.en)]
    InvalidValue {
        what: Phrase,
        value: String,
        reason: Phrase,
    },
    #[error("a paper response needs a paper serial")]
    MissingSerial,
    #[error("field `{field}` of response {response} has no value `{value}` to choose")]
    NotAConflictValue {
        response: String,
        field: String,
        value: String,
    },
    #[error("this replica holds results of several methods ({0}); choose one")]
    MixedMethods(String),
    #[error("response {0} is deleted")]
    Deleted(String),
    #[error("this device is not enrolled with a server; run `simpul enrol` first")]
    NotEnrolled,
    #[error("could not reach the server: {0}")]
    Transport(String),
    #[error("the server refused ({status} {code}): {message}")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    #[error("sync stopped after {failures} failed attempts in a row; last: {last}")]
    SyncGaveUp { failures: u32, last: String },
    /// Data that no response document can hold.
    #[error(transparent)]
    NotAResponse(#[from] simpul_document::Refusal),
    /// Data, or an enrolment code, of another unit than the one this replica collects for.
    #[error("this is data of unit {theirs}, but this device collects for unit {ours}")]
    WrongUnit { theirs: String, ours: String },
    #[error("the server did not answer within {seconds} s; nothing was lost, sync again later")]
    ServerSilent { seconds: u64 },
}

impl Error {
    /// The message for the person at the counter. Survey errors carry their own
    /// translations; the rest are phrased here.
    pub fn localized(&self, lang: Lang) -> String {
        if let Error::Csv(e) = self
            && let csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } = e.kind()
        {
            return match lang {
                Lang::Id => format!(
                    "baris ini punya {len} kolom, padahal kepala kolom punya {expected_len}"
                ),
                Lang::En => format!("this row has {len} fields but the header has {expected_len}"),
            };
        }
        let id = match self {
            Error::Survey(e) => return e.localized(lang),
            Error::NotInitialised(p) => format!(
                "belum ada data Simpul di {}; jalankan `simpul init` dulu",
                p.display()
            ),
            Error::AlreadyInitialised(p) => format!("data Simpul sudah ada di {}", p.display()),
            Error::ReadOnly(p) => format!(
                "data Simpul di {} hanya-baca: dapat dibaca tetapi tidak dapat diubah",
                p.display()
            ),
            Error::UnknownResponse(id) => format!("tidak ada respons dengan id {id}"),
            Error::UnknownForm(f) => format!("formulir `{f}` tidak dikenal"),
            Error::MissingSerial => "kuesioner kertas wajib punya nomor seri".to_string(),
            Error::InvalidValue {
                what,
                value,
                reason,
            } => format!("{} `{value}` tidak sah: {}", what.id, reason.id),
            Error::NotAConflictValue { field, value, .. } => {
                format!("isian `{field}` tidak punya nilai `{value}` untuk dipilih")
            }
            Error::MixedMethods(m) => {
                format!("data ini memuat hasil beberapa metode ({m}); pilih satu dengan --method")
            }
            Error::Csv(e) => format!("CSV rusak: {e}"),
            Error::RecordTooLarge { line, limit } => format!(
                "baris {line} berkas CSV lebih dari {limit} byte; isinya setelah baris itu tidak dibaca"
            ),
            Error::Deleted(id) => format!("respons {id} sudah dihapus"),
            Error::NotEnrolled => {
                "perangkat ini belum terdaftar ke server; jalankan `simpul enrol` dulu".to_string()
            }
            Error::Transport(e) => format!("server tidak dapat dihubungi ({e})"),
            Error::Server { status: 401, .. } => {
                "server menolak token perangkat ini (dicabut?); daftarkan ulang dengan kode baru"
                    .to_string()
            }
            Error::Server { message, .. } => format!("server menolak: {message}"),
            Error::SyncGaveUp { failures, last } => format!(
                "sinkronisasi berhenti setelah {failures} kali gagal berturut-turut ({last}); \
                 data aman, jalankan lagi saat sinyal membaik"
            ),
            Error::ServerSilent { seconds } => format!(
                "server tidak menjawab dalam {seconds} detik; data aman, sinkronkan lagi nanti"
            ),
            Error::Protocol(e) => format!("berkas bundel rusak atau tidak lengkap: {e}"),
            Error::NotAResponse(refusal) => {
                format!(
                    "data ini memuat dokumen yang bukan respons; tidak ada yang diubah ({refusal})"
                )
            }
            Error::WrongUnit { theirs, ours } => format!(
                "ini data unit {theirs}, sedangkan perangkat ini mengumpulkan data unit {ours}; \
                 tidak ada yang diubah"
            ),
            other => format!("galat: {other}"),
        };
        match lang {
            Lang::Id => id,
            Lang::En => self.to_string(),
        }
    }
}
