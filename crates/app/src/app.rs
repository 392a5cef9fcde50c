//! The [`App`]: one device's replica behind a lock, the person signed in, the language, and
//! the background sync. Every command is a method on `&self` so the desktop shell can keep
//! one `App` as shared state and call it from any thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use simpul_replica::{Author, DB_FILE, Replica};
use simpul_survey::{Form, Lang};

use crate::error::{ErrorCode, OrApp, fail};
use crate::ipc::{AppState, Enumerator, Language, SyncState};
use crate::sync::SyncWorker;
use crate::work::Work;
use crate::{AppError, Result};

/// Called with every new sync state, from the sync thread: the shell forwards it to the
/// window as the `sync` event.
pub type Notify = Arc<dyn Fn(&SyncState) + Send + Sync>;

/// Keys of the device-local settings.
pub(crate) const LANGUAGE: &str = "language";
pub(crate) const UNIT_NAME: &str = "unit_name";
pub(crate) const POPULATION: &str = "population";
pub(crate) const KIOSK_PIN: &str = "kiosk_pin";

/// The enumerator app, without a window. See the crate documentation for a tour.
pub struct App {
    pub(crate) data_dir: PathBuf,
    pub(crate) files_dir: PathBuf,
    device: Mutex<Device>,
    pub(crate) sync: SyncWorker,
    pub(crate) work: Work,
}

// The desktop shell keeps the `App` as state shared by every command's thread.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<App>();
};

/// What the commands share. Who is signed in lives only here: a restarted app asks for the
/// PIN again, because the tablet may have changed hands while it was off.
pub(crate) struct Device {
    pub(crate) replica: Option<Replica>,
    pub(crate) lang: Lang,
    pub(crate) signed_in: Option<Enumerator>,
}

impl App {
    /// Open the app over `data_dir`, where the replica lives (or will, once set up), with
    /// `files_dir` as the default folder for bundles and CSV files. Starts the background
    /// sync, which reports through `notify`; it stops when the `App` is dropped.
    pub fn open(data_dir: PathBuf, files_dir: PathBuf, notify: Notify) -> Result<App> {
        let replica = if data_dir.join(DB_FILE).exists() {
            Some(Replica::open(&data_dir).or_app(Lang::default())?)
        } else {
            None
        };
        let lang = match &replica {
            Some(replica) => replica
                .local_setting(LANGUAGE)
                .or_app(Lang::default())?
                .and_then(|l| Lang::parse(&l))
                .unwrap_or_default(),
            None => Lang::default(),
        };
        let sync = SyncWorker::start(data_dir.clone(), lang, notify);
        Ok(App {
            data_dir,
            files_dir,
            device: Mutex::new(Device {
                replica,
                lang,
                signed_in: None,
            }),
            sync,
            work: Work::default(),
        })
    }

    /// The device state. A panic in another command cannot leave it half-changed — every
    /// write is one SQLite transaction — so a poisoned lock is simply taken over.
    pub(crate) fn device(&self) -> MutexGuard<'_, Device> {
        self.device.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Tell the background sync there is something new to upload.
    pub(crate) fn wrote(&self) {
        self.sync.nudge();
    }

    /// A path as given, or inside the files folder when relative.
    pub(crate) fn file(&self, path: &str) -> PathBuf {
        let path = Path::new(path.trim());
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.files_dir.join(path)
        }
    }

    pub fn app_state(&self) -> Result<AppState> {
        let device = self.device();
        device.state(&self.files_dir)
    }

    /// Switch the interface language; remembered on the device once it is set up.
    pub fn set_language(&self, language: Language) -> Result<AppState> {
        let mut device = self.device();
        let lang = lang_of(language);
        if let Some(replica) = device.replica.as_mut() {
            replica
                .set_local_setting(LANGUAGE, Some(code_of(lang)))
                .or_app(lang)?;
        }
        device.lang = lang;
        self.sync.set_lang(lang);
        device.state(&self.files_dir)
    }
}

impl Device {
    pub(crate) fn replica(&self) -> Result<&Replica> {
        self.replica.as_ref().ok_or_else(|| not_set_up(self.lang))
    }

    pub(crate) fn replica_mut(&mut self) -> Result<&mut Replica> {
        let lang = self.lang;
        self.replica.as_mut().ok_or_else(|| not_set_up(lang))
    }

    /// Who writes, now: every change carries the signed-in enumerator's name.
    pub(crate) fn author(&self) -> Result<Author> {
        match &self.signed_in {
            Some(who) => Ok(Author::new(who.name.clone(), Utc::now())),
            None => Err(fail(
                ErrorCode::NotSignedIn,
                self.lang,
                "masuk sebagai petugas dulu",
                "sign in as an enumerator first",
            )),
        }
    }

    /// The form new responses use: the server's choice when it has sent one.
    pub(crate) fn active_form(&self) -> Result<&Form> {
        let replica = self.replica()?;
        let id = replica.active_form().or_app(self.lang)?;
        replica.form(Some(&id)).or_app(self.lang)
    }

    pub(crate) fn state(&self, files_dir: &Path) -> Result<AppState> {
        let (enumerators, kiosk_pin_set) = match &self.replica {
            Some(replica) => (
                replica
                    .enumerators()
                    .or_app(self.lang)?
                    .into_iter()
                    .map(|e| Enumerator {
                        id: e.id,
                        name: e.name,
                    })
                    .collect(),
                replica
                    .local_setting(KIOSK_PIN)
                    .or_app(self.lang)?
                    .is_some(),
            ),
            None => (Vec::new(), false),
        };
        let enrolled = match &self.replica {
            Some(replica) => replica.enrolment().or_app(self.lang)?.is_some(),
            None => false,
        };
        Ok(AppState {
            language: language_of(self.lang),
            set_up: self.replica.is_some(),
            enrolled,
            enumerators,
            signed_in: self.signed_in.clone(),
            kiosk_pin_set,
            files_dir: files_dir.display().to_string(),
        })
    }
}

pub(crate) fn not_set_up(lang: Lang) -> AppError {
    fail(
        ErrorCode::NotSetUp,
        lang,
        "perangkat ini belum disiapkan",
        "this device is not set up yet",
    )
}

pub(crate) fn lang_of(language: Language) -> Lang {
    match language {
        Language::Id => Lang::Id,
        Language::En => Lang::En,
    }
}

pub(crate) fn language_of(lang: Lang) -> Language {
    match lang {
        Lang::Id => Language::Id,
        Lang::En => Language::En,
    }
}

pub(crate) fn code_of(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "id",
        Lang::En => "en",
    }
}
