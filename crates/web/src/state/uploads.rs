//! Uploaded files waiting for their confirmation: in memory only, for the
//! user who sent them, until imported or for 30 minutes, within a count and
//! a size in all (the oldest goes first); never logged or written to disk.
//! The state holds them; the import pages (`import`) put and take them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an uploaded file waits for its confirmation.
const KEEP: Duration = Duration::from_secs(30 * 60);
/// Uploads kept at once (the oldest goes first).
const MAX_UPLOADS: usize = 16;
/// The largest upload (all files together).
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;
/// The most bytes of uploads kept waiting for their confirmation, all users
/// together (the oldest goes first): with one upload read at a time this
/// keeps the memory uploads take under 100 MB.
const MAX_KEPT_BYTES: usize = 2 * MAX_UPLOAD_BYTES;

/// A file waiting for its confirmation.
pub struct Upload {
    pub(crate) username: String,
    pub(crate) files: Vec<(String, Vec<u8>)>,
    pub(crate) mapping: Option<String>,
    /// The version of each stored referral the preview was built on: the
    /// confirmation's import refuses one changed since.
    pub(crate) versions: BTreeMap<String, i64>,
    pub(crate) at: Instant,
}

impl Upload {
    pub(crate) fn bytes(&self) -> usize {
        self.files.iter().map(|(_, b)| b.len()).sum::<usize>()
            + self.mapping.as_ref().map_or(0, String::len)
    }
}

/// Uploads by their random token, and the turn to read one.
pub struct Uploads {
    kept: Mutex<HashMap<String, Upload>>,
    reading: tokio::sync::Semaphore,
}

impl Default for Uploads {
    fn default() -> Self {
        Uploads {
            kept: Mutex::default(),
            reading: tokio::sync::Semaphore::new(1),
        }
    }
}

impl Uploads {
    /// Waits for the turn to read and preview an upload (one at a time).
    pub(crate) async fn turn(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.reading
            .acquire()
            .await
            .expect("the semaphore is never closed")
    }

    pub(crate) fn put(&self, upload: Upload) -> String {
        let token = ipstrack_store::random_token();
        let mut map = self.kept.lock().expect("not poisoned");
        map.retain(|_, u| u.at.elapsed() < KEEP);
        let kept = |map: &HashMap<String, Upload>| map.values().map(Upload::bytes).sum::<usize>();
        while !map.is_empty()
            && (map.len() >= MAX_UPLOADS || kept(&map) + upload.bytes() > MAX_KEPT_BYTES)
        {
            let oldest = map
                .iter()
                .min_by_key(|(_, u)| u.at)
                .map(|(k, _)| k.clone())
                .expect("not empty");
            map.remove(&oldest);
        }
        map.insert(token.clone(), upload);
        token
    }

    /// The upload, if it is this user's and not expired.
    pub(crate) fn take(&self, token: &str, username: &str) -> Option<Upload> {
        let mut map = self.kept.lock().expect("not poisoned");
        map.retain(|_, u| u.at.elapsed() < KEEP);
        if map.get(token)?.username != username {
            return None;
        }
        map.remove(token)
    }

    pub(crate) fn put_back(&self, token: String, upload: Upload) {
        self.kept
            .lock()
            .expect("not poisoned")
            .insert(token, upload);
    }
}
