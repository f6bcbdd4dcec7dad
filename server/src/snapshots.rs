//! Snapshots held for clients: `POST /api/v1/snapshot` takes one and answers its sequence
//! number; fetches naming it (`"snapshot": seq`) read the database as it was then;
//! `DELETE /api/v1/snapshot/{seq}` releases it. A held snapshot pins the memtables and
//! segment files it needs, so their number is capped.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use axum::http::StatusCode;
use murr_core::db::{Db, Snapshot};

use crate::error::{ApiError, ApiResult};

/// The most snapshots held at once (each `POST` counts, also of the same sequence number).
pub const MAX_HELD: usize = 64;

/// The held snapshots by sequence number, each with the number of holders.
#[derive(Debug, Default)]
pub struct Snapshots {
    held: Mutex<BTreeMap<u64, (Snapshot, usize)>>,
}

impl Snapshots {
    /// Takes a snapshot of `db` and holds it; returns its sequence number.
    pub fn take(&self, db: &Db) -> ApiResult<u64> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let count: usize = held.values().map(|(_, n)| n).sum();
        if count >= MAX_HELD {
            return Err(ApiError::bad_request(format!(
                "{count} snapshots are held already (the most is {MAX_HELD}): release one \
                 with DELETE /api/v1/snapshot/{{seq}}"
            )));
        }
        let snap = db.snapshot()?;
        let seq = snap.seq();
        held.entry(seq).or_insert((snap, 0)).1 += 1;
        Ok(seq)
    }

    /// The held snapshot of sequence number `seq`.
    pub fn get(&self, seq: u64) -> ApiResult<Snapshot> {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&seq)
            .map(|(s, _)| s.clone())
            .ok_or_else(|| not_held(seq))
    }

    /// Releases one hold of the snapshot of sequence number `seq`.
    pub fn release(&self, seq: u64) -> ApiResult<()> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = held.get_mut(&seq) else {
            return Err(not_held(seq));
        };
        entry.1 -= 1;
        if entry.1 == 0 {
            held.remove(&seq);
        }
        Ok(())
    }
}

fn not_held(seq: u64) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no snapshot {seq} is held (never taken, or released)"),
    )
}
