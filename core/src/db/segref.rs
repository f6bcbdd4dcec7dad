//! A segment as a version lists it: the open file, what the manifest says of it and its
//! deletion vector, with the files' lifetimes tied to the versions and snapshots that
//! hold them.
//!
//! The segment file and each deletion vector file are [`Tracked`]: shared (`Arc`) by every
//! version and snapshot that lists them. A compaction or `drop_table` [retires](SegmentRef::retire)
//! the files it replaces, and a new deletion vector retires the one it replaces; when the
//! last holder of a retired file lets go, its `Drop` hands the file to the [`Graveyard`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::gc::Graveyard;
use crate::Result;
use crate::dir::FileKind;
use crate::dv::DeletionVector;
use crate::manifest::{DeletesMeta, SegmentMeta};
use crate::segment::filter::KeyFilter;
use crate::segment::{Segment, SortKey};

/// A file whose deletion waits for the last holder once it is retired.
#[derive(Debug)]
pub(crate) struct Tracked {
    path: PathBuf,
    /// Set when no newer version lists the file.
    obsolete: AtomicBool,
    graveyard: Arc<Graveyard>,
}

impl Tracked {
    fn new(path: PathBuf, graveyard: Arc<Graveyard>) -> Tracked {
        Tracked {
            path,
            obsolete: AtomicBool::new(false),
            graveyard,
        }
    }

    fn retire(&self) {
        self.obsolete.store(true, Ordering::Release);
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if self.obsolete.load(Ordering::Acquire) {
            self.graveyard.bury(std::mem::take(&mut self.path));
        }
    }
}

/// An open segment file.
#[derive(Debug)]
pub(crate) struct SegmentFile {
    /// The open (memory-mapped) segment.
    pub(crate) segment: Segment,
    /// For each of the table's columns by name: the index of the column in the
    /// segment's schema (a segment written before a column was added lacks it).
    pub(crate) columns: HashMap<String, usize>,
    /// The first and last key (`None` for an empty segment).
    pub(crate) range: Option<(SortKey, SortKey)>,
    /// The key filter of a level-0 segment (built when it is opened; see
    /// [`crate::segment::filter`]): reads ask the segment only the keys it passes.
    pub(crate) filter: Option<KeyFilter>,
    file: Tracked,
}

/// A loaded deletion vector file.
#[derive(Debug)]
pub(crate) struct DeletesFile {
    /// The rows it marks.
    pub(crate) rows: DeletionVector,
    /// The same rows as one bit per row of the segment (bit `r % 64` of word `r / 64`):
    /// a read's membership test is one word, where the bitmap takes a search.
    pub(crate) bits: Box<[u64]>,
    file: Tracked,
}

impl DeletesFile {
    fn new(rows: DeletionVector, segment_rows: u64, file: Tracked) -> DeletesFile {
        let words = usize::try_from(segment_rows.div_ceil(64)).unwrap_or(0);
        let mut bits = vec![0u64; words].into_boxed_slice();
        for row in rows.bitmap() {
            if let Some(word) = bits.get_mut(row as usize / 64) {
                *word |= 1 << (row % 64);
            }
        }
        DeletesFile { rows, bits, file }
    }
}

/// A segment as one version lists it. Versions that share the segment but not its
/// deletion vector hold different `SegmentRef`s over the same [`SegmentFile`].
#[derive(Debug)]
pub(crate) struct SegmentRef {
    /// The manifest's entry.
    pub(crate) meta: SegmentMeta,
    file: Arc<SegmentFile>,
    /// The rows of the segment that are deleted or superseded (see `docs/ENGINE.md`,
    /// "Deletion vectors"): reads skip them and compactions drop them.
    pub(crate) deletes: Option<Arc<DeletesFile>>,
}

impl std::ops::Deref for SegmentRef {
    type Target = SegmentFile;

    fn deref(&self) -> &SegmentFile {
        &self.file
    }
}

impl SegmentRef {
    /// Opens the segment file in `dir` that `meta` lists, and its deletion vector file.
    pub(crate) fn open(
        meta: SegmentMeta,
        dir: &Path,
        graveyard: Arc<Graveyard>,
    ) -> Result<SegmentRef> {
        let path = dir.join(crate::dir::name(FileKind::Segment, meta.file_number));
        let segment = Segment::open(&path)?;
        let columns = segment
            .schema()
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name().clone(), i))
            .collect();
        let range = match (segment.first_key()?, segment.last_key()?) {
            (Some(first), Some(last)) => Some((first, last)),
            _ => None,
        };
        // Level 0 is asked every key of a read (its segments' ranges overlap); the filter
        // sends it only the few it may hold. The run routes keys by range instead.
        let filter = if meta.level == 0 {
            Some(segment.key_filter()?)
        } else {
            None
        };
        let deletes = match meta.deletes {
            Some(d) => {
                let p = dir.join(crate::dir::name(FileKind::Deletes, d.file_number));
                let rows = DeletionVector::read_file(&p, meta.file_number, segment.row_count())?;
                if rows.len() != d.rows {
                    return Err(crate::Error::corrupt(
                        &p.display().to_string(),
                        "deletion vector",
                        format!("marks {} rows; the manifest says {}", rows.len(), d.rows),
                    ));
                }
                Some(Arc::new(DeletesFile::new(
                    rows,
                    segment.row_count(),
                    Tracked::new(p, Arc::clone(&graveyard)),
                )))
            }
            None => None,
        };
        Ok(SegmentRef {
            meta,
            file: Arc::new(SegmentFile {
                segment,
                columns,
                range,
                filter,
                file: Tracked::new(path, graveyard),
            }),
            deletes,
        })
    }

    /// The same segment with deletion vector `rows`, just written as file `path` and
    /// listed as `entry`.
    pub(crate) fn with_deletes(
        &self,
        entry: DeletesMeta,
        rows: DeletionVector,
        path: PathBuf,
    ) -> SegmentRef {
        let graveyard = Arc::clone(&self.file.file.graveyard);
        SegmentRef {
            meta: SegmentMeta {
                deletes: Some(entry),
                ..self.meta
            },
            file: Arc::clone(&self.file),
            deletes: Some(Arc::new(DeletesFile::new(
                rows,
                self.segment.row_count(),
                Tracked::new(path, graveyard),
            ))),
        }
    }

    /// Whether the segment has a deletion vector marking any row.
    pub(crate) fn has_deletes(&self) -> bool {
        self.deletes.as_ref().is_some_and(|d| !d.rows.is_empty())
    }

    /// Retires the segment file and its deletion vector: they go once the last reader
    /// lets go.
    pub(crate) fn retire(&self) {
        self.file.file.retire();
        self.retire_deletes();
    }

    /// Retires only the deletion vector file (a newer one replaces it).
    pub(crate) fn retire_deletes(&self) {
        if let Some(d) = &self.deletes {
            d.file.retire();
        }
    }
}
