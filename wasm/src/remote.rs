//! `RemoteSegmentCore`: core's sans-IO `RemoteSegment` driven step by step from JS (the
//! fetching is JS's: `remote.mjs` wraps it in `RemoteSegment`, which fetches by byte range).

use murr_core::segment::remote::{ByteRange, GetPlan, OpenStep, RemoteSegment};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsError, JsValue};

use crate::error::js;
use crate::reader::GetResult;
use crate::{keys, schema};

/// A read in progress: core's plan (which owns what it needs of the segment, so it lives
/// here beside it and keeps the pages supplied so far, each checked once), then the result
/// once `needed()` found the read done.
enum Pending {
    Reading(Box<GetPlan>),
    Done(GetResult),
}

/// The steps of a segment read by byte range, for JS to drive (see `RemoteSegment` in
/// `remote.mjs`, which does): `openRange(fileLen)`, fetch it, `open(...)` until it returns
/// `undefined` (open) rather than a range to fetch; then per read `beginGet(keys, columns)`,
/// and while `needed()` lists ranges, fetch them and `supply` each; then `finish()`.
/// Verified pages are kept between reads (up to 16 MiB), so repeated reads fetch less.
/// Call `free()` when done.
#[wasm_bindgen]
pub struct RemoteSegmentCore {
    segment: Option<Box<RemoteSegment>>,
    name: String,
    gap: Option<u64>,
    pending: Option<Pending>,
}

fn pairs(ranges: &[ByteRange]) -> Vec<f64> {
    // File offsets and lengths below 2^53: exact as JS numbers.
    ranges
        .iter()
        .flat_map(|r| [r.offset as f64, r.len as f64])
        .collect()
}

fn to_u64(x: f64, what: &str) -> Result<u64, JsError> {
    if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0 {
        Ok(x as u64)
    } else {
        Err(JsError::new(&format!("{what}: {x} is not a byte offset")))
    }
}

#[wasm_bindgen]
impl RemoteSegmentCore {
    /// A segment to open; `name` names it in errors. `gap` (bytes, optional): needed ranges
    /// less than `gap` apart are merged into one (fewer requests, more bytes).
    #[wasm_bindgen(constructor)]
    pub fn new(name: String, gap: Option<f64>) -> Result<RemoteSegmentCore, JsError> {
        let gap = gap.map(|g| to_u64(g, "gap")).transpose()?;
        Ok(RemoteSegmentCore {
            segment: None,
            name,
            gap,
            pending: None,
        })
    }

    /// The first range to fetch of a file of `fileLen` bytes, as `[offset, len]`.
    #[wasm_bindgen(js_name = openRange)]
    pub fn open_range(file_len: f64) -> Result<Vec<f64>, JsError> {
        let r = RemoteSegment::open_range(to_u64(file_len, "file length")?);
        Ok(pairs(&[r]))
    }

    /// Opens the segment from `tail`, its bytes from `tailOffset` to the end of a file of
    /// `fileLen` bytes. Returns `undefined` when open, or `[offset, len]`: fetch that range
    /// and call `open` again with it. Throws on a corrupt trailer or footer.
    pub fn open(
        &mut self,
        file_len: f64,
        tail_offset: f64,
        tail: &[u8],
    ) -> Result<Option<Vec<f64>>, JsError> {
        let file_len = to_u64(file_len, "file length")?;
        let tail_offset = to_u64(tail_offset, "offset")?;
        match RemoteSegment::open(file_len, tail_offset, tail, &self.name).map_err(js)? {
            OpenStep::Ready(seg) => {
                let seg = match self.gap {
                    Some(gap) => Box::new(seg.with_gap(gap)),
                    None => seg,
                };
                self.segment = Some(seg);
                self.pending = None;
                Ok(None)
            }
            OpenStep::Need(r) => Ok(Some(pairs(&[r]))),
        }
    }

    fn segment(&self) -> Result<&RemoteSegment, JsError> {
        self.segment
            .as_deref()
            .ok_or_else(|| JsError::new("the segment is not open"))
    }

    /// The schema: `{key, fields: [{name, type, nullable}]}`, the key column first.
    #[wasm_bindgen(unchecked_return_type = "SegmentSchema")]
    pub fn schema(&self) -> Result<JsValue, JsError> {
        let seg = self.segment()?;
        let schema = seg.schema();
        let key = schema.fields().first().map_or("", |f| f.name().as_str());
        let text = schema::to_json(&schema, key);
        js_sys::JSON::parse(&text).map_err(|_| JsError::new("schema: invalid JSON"))
    }

    /// The number of rows (keys) in the segment.
    #[wasm_bindgen(js_name = rowCount)]
    pub fn row_count(&self) -> Result<f64, JsError> {
        Ok(self.segment()?.row_count() as f64)
    }

    /// The file's size in bytes.
    #[wasm_bindgen(js_name = fileLen)]
    pub fn file_len(&self) -> Result<f64, JsError> {
        Ok(self.segment()?.file_len() as f64)
    }

    /// The bytes of verified pages kept between reads.
    #[wasm_bindgen(js_name = keptBytes)]
    pub fn kept_bytes(&self) -> Result<f64, JsError> {
        Ok(self.segment()?.kept_bytes() as f64)
    }

    /// Starts a read of `columns` for `keys` (the keys `SegmentReader.get` takes), replacing
    /// any read in progress. Throws on an unknown column or keys of the wrong type.
    #[wasm_bindgen(js_name = beginGet)]
    pub fn begin_get(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Keys")] keys: JsValue,
        columns: Vec<String>,
    ) -> Result<(), JsError> {
        self.pending = None;
        let seg = self.segment()?;
        let schema = seg.schema();
        let key_field = schema
            .fields()
            .first()
            .ok_or_else(|| JsError::new("segment has no key column"))?;
        let keys = keys::to_arrow(&keys, key_field.data_type(), key_field.name())?;
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let plan = seg.plan_get(keys.as_ref(), &names).map_err(js)?;
        self.pending = Some(Pending::Reading(Box::new(plan)));
        Ok(())
    }

    /// Hands over `bytes`, fetched at file offset `offset` for one of the ranges `needed()`
    /// listed; its pages are checked against their CRCs now. Throws if a page does not
    /// match, the range passes the file's end or holds no needed page (and the read is then
    /// abandoned).
    pub fn supply(&mut self, offset: f64, bytes: &[u8]) -> Result<(), JsError> {
        let offset = to_u64(offset, "offset")?;
        match self.pending.as_mut() {
            Some(Pending::Reading(plan)) => {
                if let Err(e) = plan.supply(offset, bytes) {
                    self.pending = None;
                    return Err(js(e));
                }
                Ok(())
            }
            Some(Pending::Done(_)) => Ok(()),
            None => Err(JsError::new("no read in progress: call beginGet first")),
        }
    }

    /// The ranges to fetch next, as `[offset0, len0, offset1, len1, ...]`; empty when the
    /// read is done (the step that finds it done finishes it and keeps its pages).
    pub fn needed(&mut self) -> Result<Vec<f64>, JsError> {
        let plan = match self.pending.take() {
            Some(Pending::Reading(plan)) => plan,
            Some(done @ Pending::Done(_)) => {
                self.pending = Some(done);
                return Ok(Vec::new());
            }
            None => return Err(JsError::new("no read in progress: call beginGet first")),
        };
        let needed = plan.needed();
        if !needed.is_empty() {
            self.pending = Some(Pending::Reading(plan));
            return Ok(pairs(&needed));
        }
        let seg = self
            .segment
            .as_deref_mut()
            .ok_or_else(|| JsError::new("the segment is not open"))?;
        let ((batch, found), kept) = plan.finish_keeping().map_err(js)?;
        seg.keep(kept);
        self.pending = Some(Pending::Done(GetResult::new(batch, found)));
        Ok(Vec::new())
    }

    /// The read's result, as `SegmentReader.get` gives it. Throws before the read is done
    /// (while `needed()` lists ranges). Keeps the read's verified pages for later reads.
    pub fn finish(&mut self) -> Result<GetResult, JsError> {
        if !self.needed()?.is_empty() {
            return Err(JsError::new(
                "finish called before every needed range was supplied",
            ));
        }
        match self.pending.take() {
            Some(Pending::Done(result)) => Ok(result),
            _ => Err(JsError::new("no read in progress: call beginGet first")),
        }
    }
}
