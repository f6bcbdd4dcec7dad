//! File GC: deleting segment files that no version lists any more, once nothing reads
//! them.
//!
//! A compaction or `drop_table` marks the segments it replaces **obsolete**. A segment's
//! [`SegmentRef`](super::segref::SegmentRef) is shared (`Arc`) by every version and
//! snapshot that lists it; when the last of them lets go, its `Drop` hands the file to the
//! [`Graveyard`], which deletes it at once or, with a grace period
//! ([`super::Options::file_gc_grace`]), once the period has passed (for external readers
//! of the files). A file still waiting at close is left; the next open deletes it, as it
//! does every segment file the manifest does not list.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Files waiting to be deleted. See the module docs.
#[derive(Debug)]
pub(crate) struct Graveyard {
    grace: Duration,
    waiting: Mutex<Vec<(PathBuf, Instant)>>,
}

impl Graveyard {
    /// A graveyard that deletes files `grace` after they are let go.
    pub(crate) fn new(grace: Duration) -> Graveyard {
        Graveyard {
            grace,
            waiting: Mutex::new(Vec::new()),
        }
    }

    /// Deletes `path` now, or queues it until the grace period has passed. Best effort: a
    /// file that cannot be deleted is an orphan the next open deletes.
    pub(crate) fn bury(&self, path: PathBuf) {
        if self.grace.is_zero() {
            let _ = std::fs::remove_file(&path);
            return;
        }
        let due = Instant::now() + self.grace;
        self.lock().push((path, due));
    }

    /// Deletes the queued files whose grace period has passed; returns how many.
    pub(crate) fn sweep(&self) -> usize {
        let now = Instant::now();
        let mut due = Vec::new();
        self.lock().retain(|(path, at)| {
            if *at <= now {
                due.push(path.clone());
                false
            } else {
                true
            }
        });
        for path in &due {
            let _ = std::fs::remove_file(path);
        }
        due.len()
    }

    /// How many files wait.
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(PathBuf, Instant)>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod gc_tests {
    use super::*;

    #[test]
    fn buries_now_or_after_the_grace_period() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, b"x").unwrap();
        Graveyard::new(Duration::ZERO).bury(a.clone());
        assert!(!a.exists());

        let b = dir.path().join("b");
        std::fs::write(&b, b"x").unwrap();
        let g = Graveyard::new(Duration::from_millis(50));
        g.bury(b.clone());
        assert_eq!((g.sweep(), g.waiting()), (0, 1));
        assert!(b.exists());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(g.sweep(), 1);
        assert!(!b.exists());
    }
}
