//! Publishing sequence numbers: which writes readers may see.
//!
//! Writers take sequence numbers in log order but finish inserting into the memtable in
//! any order. A read sees writes up to the **published** sequence number, which moves past
//! `s` only once every write numbered `s` or below is in the memtable (or failed). So a
//! snapshot never sees a write and later, at the same sequence number, an older one
//! appear beside it.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// See the module docs.
#[derive(Debug)]
pub(crate) struct Publisher {
    /// The published sequence number, for lock-free reads.
    visible: AtomicU64,
    state: Mutex<State>,
    advanced: Condvar,
}

#[derive(Debug)]
struct State {
    published: u64,
    /// Finished writes above `published + 1`, waiting for the gap to close.
    done: BTreeSet<u64>,
}

impl Publisher {
    /// A publisher that has published `last` (the next write is numbered `last + 1`).
    pub(crate) fn new(last: u64) -> Publisher {
        Publisher {
            visible: AtomicU64::new(last),
            state: Mutex::new(State {
                published: last,
                done: BTreeSet::new(),
            }),
            advanced: Condvar::new(),
        }
    }

    /// The published sequence number: every write at or below it is visible.
    pub(crate) fn visible(&self) -> u64 {
        self.visible.load(Ordering::Acquire)
    }

    /// Records that write `seq` is in the memtable (or failed and never will be).
    pub(crate) fn finish(&self, seq: u64) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if seq <= state.published {
            return;
        }
        state.done.insert(seq);
        let mut moved = false;
        while state.done.first() == Some(&(state.published + 1)) {
            state.done.pop_first();
            state.published += 1;
            moved = true;
        }
        if moved {
            self.visible.store(state.published, Ordering::Release);
            drop(state);
            self.advanced.notify_all();
        }
    }

    /// Waits until `seq` is published (the writes before it finish within microseconds:
    /// they are past the log and inserting into the memtable).
    pub(crate) fn wait_for(&self, seq: u64) {
        if self.visible() >= seq {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.published < seq {
            state = self
                .advanced
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishes_only_without_gaps() {
        let p = Publisher::new(10);
        p.finish(12);
        p.finish(13);
        assert_eq!(p.visible(), 10);
        p.finish(11);
        assert_eq!(p.visible(), 13);
        p.finish(13);
        p.finish(5);
        assert_eq!(p.visible(), 13);
    }

    #[test]
    fn waiters_wake() {
        let p = std::sync::Arc::new(Publisher::new(0));
        let q = p.clone();
        let t = std::thread::spawn(move || q.wait_for(2));
        p.finish(2);
        p.finish(1);
        t.join().unwrap();
        assert_eq!(p.visible(), 2);
    }
}
