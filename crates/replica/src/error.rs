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
    /// The folder holds no replica. Each front end says how to make one.
    #[error("no replica at {0}")]
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
    /// A report over results of several survey methods, whose indices cannot be pooled; the
    /// caller must pick one of `methods` (each front end says how).
    #[error("this replica holds results of several methods ({}); choose one", codes(.0))]
    MixedMethods(Vec<simpul_survey::Method>),
    #[error("response {0} is deleted")]
    Deleted(String),
    /// Sync needs an enrolment first. Each front end says how to enrol.
    #[error("this device is not enrolled with a server")]
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
    /// The server's change log changed identity twice in one sync: the address leads to two
    /// different databases (two servers behind one name), not to one restored server.
    #[error(
        "the server's change log changed twice during one sync; the address seems to lead to \
         two different server databases. Nothing was lost; ask the office to check the server"
    )]
    ServerLogsDiffer,
}

impl Error {
    /// The message for the person at the counter, in one language and without a prefix
    /// ("galat:" is the front end's to add). Survey errors carry their own translations; the
    /// rest are phrased here. A lower layer's own text (SQLite's, the network's) comes last,
    /// as the cause.
    ///
    /// The words name no command or flag of any front end: the CLI adds "run `simpul init`"
    /// where the app shows its first-run screen instead.
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            Error::Survey(e) => e.localized(lang),
            Error::Csv(e) => match (e.kind(), lang) {
                (
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    },
                    Lang::Id,
                ) => format!(
                    "baris ini punya {len} kolom, padahal kepala kolom punya {expected_len}"
                ),
                (
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    },
                    Lang::En,
                ) => {
                    format!("this row has {len} fields but the header has {expected_len}")
                }
                (_, Lang::Id) => format!("CSV rusak: {e}"),
                (_, Lang::En) => format!("damaged CSV: {e}"),
            },
            _ => match lang {
                Lang::Id => self.indonesian(),
                Lang::En => self.english(),
            },
        }
    }

    fn indonesian(&self) -> String {
        match self {
            Error::Database(e) => format!("basis data perangkat ini gagal: {e}"),
            Error::Automerge(e) => format!("riwayat perubahan rusak: {e}"),
            Error::InvalidChange { doc, source } => {
                format!("perubahan untuk dokumen {doc} tidak sah: {source}")
            }
            Error::ForeignDependency { doc, hash } => format!(
                "perubahan {hash} untuk dokumen {doc} bergantung pada perubahan dokumen lain"
            ),
            Error::Io { path, source } => format!(
                "berkas {} tidak dapat dibaca atau ditulis: {source}",
                path.display()
            ),
            Error::NotInitialised(p) => format!("belum ada data Simpul di {}", p.display()),
            Error::AlreadyInitialised(p) => format!("data Simpul sudah ada di {}", p.display()),
            Error::ReadOnly(p) => format!(
                "data Simpul di {} hanya-baca: dapat dibaca tetapi tidak dapat diubah",
                p.display()
            ),
            Error::SchemaTooNew { found, known } => format!(
                "versi basis data {found} lebih baru daripada yang dikenal program ini ({known}); \
                 perbarui Simpul"
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
            Error::RecordTooLarge { line, limit } => format!(
                "baris {line} berkas CSV lebih dari {limit} byte; isinya setelah baris itu tidak dibaca"
            ),
            Error::MixedMethods(methods) => format!(
                "data ini memuat hasil beberapa metode ({}); pilih satu metode",
                codes(methods)
            ),
            Error::Deleted(id) => format!("respons {id} sudah dihapus"),
            Error::NotEnrolled => "perangkat ini belum terdaftar ke server".to_string(),
            Error::Transport(e) => format!("server tidak dapat dihubungi: {e}"),
            Error::Server { status: 401, .. } => {
                "server menolak token perangkat ini (dicabut?); daftarkan ulang dengan kode baru"
                    .to_string()
            }
            Error::Server { message, .. } => format!("server menolak: {message}"),
            Error::SyncGaveUp { failures, last } => format!(
                "sinkronisasi berhenti setelah {failures} kali gagal berturut-turut; data aman, \
                 coba lagi saat sinyal membaik (terakhir: {last})"
            ),
            Error::ServerSilent { seconds } => format!(
                "server tidak menjawab dalam {seconds} detik; data aman, sinkronkan lagi nanti"
            ),
            Error::ServerLogsDiffer => "catatan perubahan server berganti dua kali dalam satu \
                 sinkronisasi; alamat ini tampaknya menuju dua basis data server yang berbeda. \
                 Data aman; minta kantor memeriksa server"
                .to_string(),
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
            Error::Survey(e) => e.localized(Lang::Id),
            Error::Csv(_) => self.localized(Lang::Id),
        }
    }

    fn english(&self) -> String {
        match self {
            Error::Database(e) => format!("the device's database failed: {e}"),
            Error::Automerge(e) => format!("the change history is damaged: {e}"),
            Error::Server { status: 401, .. } => {
                "the server refused this device's token (revoked?); enrol again with a new code"
                    .to_string()
            }
            Error::Protocol(e) => format!("the bundle file is damaged or incomplete: {e}"),
            other => other.to_string(),
        }
    }
}

/// Method codes as a list for a message.
fn codes(methods: &[simpul_survey::Method]) -> String {
    methods
        .iter()
        .map(|m| m.code())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_disk() -> Error {
        Error::Database(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        ))
    }

    #[test]
    fn a_database_error_is_worded_once_in_indonesian_with_sqlite_text_as_the_cause() {
        let message = full_disk().localized(Lang::Id);
        assert!(!message.contains("galat"), "{message}");
        assert!(
            message.starts_with("basis data perangkat ini gagal: "),
            "{message}"
        );
        assert_eq!(message.matches("database or disk is full").count(), 1);
        let english = full_disk().localized(Lang::En);
        assert!(
            english.starts_with("the device's database failed"),
            "{english}"
        );
    }

    #[test]
    fn no_message_names_a_command_or_a_flag_of_a_front_end() {
        let errors = [
            Error::NotInitialised("/data".into()),
            Error::NotEnrolled,
            Error::MixedMethods(vec![
                simpul_survey::Method::Kepmenpan25_2004,
                simpul_survey::Method::Permenpanrb14_2017,
            ]),
        ];
        for error in errors {
            for lang in [Lang::Id, Lang::En] {
                let message = error.localized(lang);
                assert!(!message.contains("--"), "{message}");
                assert!(!message.contains("simpul "), "{message}");
            }
        }
    }

    #[test]
    fn mixed_methods_name_the_methods_to_choose_from() {
        let error = Error::MixedMethods(vec![
            simpul_survey::Method::Kepmenpan25_2004,
            simpul_survey::Method::Permenpanrb14_2017,
        ]);
        assert!(
            error
                .localized(Lang::Id)
                .contains("kepmenpan-25-2004, permenpanrb-14-2017")
        );
    }
}
