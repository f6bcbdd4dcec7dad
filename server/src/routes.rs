//! The HTTP handlers. Every database call runs on tokio's blocking pool, but small keyed
//! reads ([`read_call`]), which run on the worker.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use arrow_array::{Array, RecordBatch};
use arrow_schema::SchemaRef;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use murr_core::db::{Db, Snapshot};
use serde_json::{Value, json};

use crate::AppState;
use crate::data::{self, Format};
use crate::error::{ApiError, ApiResult};
use crate::http::read_body;
use crate::schema::{all_columns, key_of, parse_schema, schema_json};

/// The content type of Arrow IPC streams.
pub const ARROW_STREAM: &str = "application/vnd.apache.arrow.stream";

/// Runs `f` on the database on tokio's blocking pool.
pub async fn blocking<T, F>(state: &AppState, f: F) -> ApiResult<T>
where
    F: FnOnce(&Db) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    let db = Arc::clone(&state.db);
    tokio::task::spawn_blocking(move || f(&db))
        .await
        .map_err(|e| ApiError::internal(format!("the database call failed: {e}")))?
}

/// Requests at most this large run their read inline (see [`read_call`]): 64 KiB of JSON
/// is a few thousand keys, a read of a few hundred microseconds.
pub const INLINE_READ_BYTES: usize = 64 << 10;

/// A keyed read. A small one (`body_len` <= [`INLINE_READ_BYTES`]: about 100 us for 1000
/// keys) runs on the async worker itself: handing it to the blocking pool costs two thread
/// switches, more than the read on a small machine (measured by R7, BENCHMARKS.md); a
/// larger one goes to the blocking pool ([`blocking`]) so as not to hold a worker.
pub async fn read_call<T, F>(state: &AppState, body_len: usize, f: F) -> ApiResult<T>
where
    F: FnOnce(&Db) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    if body_len <= INLINE_READ_BYTES {
        return f(&state.db);
    }
    blocking(state, f).await
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn json_value(status: StatusCode, v: &Value) -> Response {
    json_response(status, v.to_string().into_bytes())
}

/// `GET /health`.
pub async fn health() -> Response {
    json_value(StatusCode::OK, &json!({"status": "ok"}))
}

/// `GET /openapi.json`.
pub async fn openapi() -> Response {
    json_response(StatusCode::OK, crate::OPENAPI.as_bytes().to_vec())
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<Arc<AppState>>) -> ApiResult<Response> {
    let engine = blocking(&state, |db| Ok(db.metrics()?.to_prometheus())).await?;
    let text = state.metrics.render(&engine);
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        text,
    )
        .into_response())
}

/// `GET /api/v1/table`: every table's schema by name.
pub async fn list_tables(State(state): State<Arc<AppState>>) -> ApiResult<Response> {
    let all = blocking(&state, |db| {
        let mut out = String::from("{");
        for table in db.tables()? {
            match db.schema(&table) {
                Ok(s) => {
                    if out.len() > 1 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(table).to_string());
                    out.push(':');
                    out.push_str(&schema_json(&s));
                }
                Err(murr_core::Error::UnknownTable { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        out.push('}');
        Ok(out)
    })
    .await?;
    Ok(json_response(StatusCode::OK, all.into_bytes()))
}

/// `GET /api/v1/table/{name}/schema`.
pub async fn get_schema(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let schema = blocking(&state, move |db| Ok(db.schema(&name)?)).await?;
    Ok(json_response(
        StatusCode::OK,
        schema_json(&schema).into_bytes(),
    ))
}

/// `PUT /api/v1/table/{name}`: 201 created, 200 if it exists with this schema, 409 with
/// another.
pub async fn create_table(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let body = read_body(&state, &headers, body).await?;
    let (schema, key) = parse_schema(&body)?;
    let created = blocking(&state, move |db| {
        let existed = db.tables()?.contains(&name);
        db.create_table(&name, &schema, &key)?;
        Ok(!existed)
    })
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json_value(status, &json!({"created": created})))
}

/// `PUT /api/v1/table/{name}/write`: `{"seq": n}`.
pub async fn write(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = Format::of(content_type).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type '{content_type}' is not one of {ARROW_STREAM}, \
                 application/vnd.apache.parquet, application/json"
            ),
        )
    })?;
    let body = read_body(&state, &headers, body).await?;
    let seq = blocking(&state, move |db| {
        let schema = db.schema(&name)?;
        let batch = data::decode_write(format, body, &schema)?;
        Ok(db.write(&name, &batch)?)
    })
    .await?;
    Ok(json_value(StatusCode::OK, &json!({"seq": seq})))
}

/// A fetch request: keys and the columns (every column, the key first, if absent), the
/// fill of dense reads, the held snapshot to read at.
struct FetchRequest {
    /// The JSON text of the keys list (parsed once the key column's type is known).
    keys: Box<serde_json::value::RawValue>,
    columns: Option<Vec<String>>,
    fill: f32,
    snapshot: Option<u64>,
}

/// Where a fetch reads: the database now, or a held snapshot.
enum View {
    Now,
    At(Snapshot),
}

impl View {
    fn of(state: &AppState, snapshot: Option<u64>) -> ApiResult<View> {
        Ok(match snapshot {
            None => View::Now,
            Some(seq) => View::At(state.snapshots.get(seq)?),
        })
    }

    fn schema(&self, db: &Db, table: &str) -> ApiResult<SchemaRef> {
        Ok(match self {
            View::Now => db.schema(table)?,
            View::At(s) => s.schema(table)?,
        })
    }

    fn read(
        &self,
        db: &Db,
        table: &str,
        keys: &dyn Array,
        columns: &[&str],
    ) -> ApiResult<(RecordBatch, Vec<bool>)> {
        Ok(match self {
            View::Now => db.read(table, keys, columns)?,
            View::At(s) => s.read(table, keys, columns)?,
        })
    }

    fn read_f32(
        &self,
        db: &Db,
        table: &str,
        keys: &dyn Array,
        columns: &[&str],
        fill: f32,
        out: &mut [f32],
    ) -> ApiResult<Vec<bool>> {
        Ok(match self {
            View::Now => db.read_f32(table, keys, columns, fill, out)?,
            View::At(s) => s.read_f32(table, keys, columns, fill, out)?,
        })
    }
}

/// A fetch body as sent: the keys left as JSON text, the rest as JSON values checked by
/// [`parse_fetch`]. Other members are ignored.
#[derive(serde::Deserialize)]
struct FetchDoc {
    keys: Option<Box<serde_json::value::RawValue>>,
    columns: Option<Value>,
    fill: Option<Value>,
    snapshot: Option<Value>,
}

fn parse_fetch(body: &[u8], need_columns: bool) -> ApiResult<FetchRequest> {
    let doc: FetchDoc = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON body: {e}")))?;
    let keys = match doc.keys {
        Some(k) if k.get().trim_start().starts_with('[') => k,
        _ => return Err(ApiError::bad_request("the body needs \"keys\": [...]")),
    };
    let columns = match doc.columns {
        None | Some(Value::Null) if !need_columns => None,
        Some(Value::Array(c)) => {
            let mut out = Vec::with_capacity(c.len());
            for v in c {
                out.push(
                    v.as_str()
                        .ok_or_else(|| {
                            ApiError::bad_request("\"columns\" must be a list of names")
                        })?
                        .to_owned(),
                );
            }
            Some(out)
        }
        _ => {
            return Err(ApiError::bad_request(
                "the body needs \"columns\": [names...]",
            ));
        }
    };
    let fill = match doc.fill {
        None | Some(Value::Null) => f32::NAN,
        Some(v) => v
            .as_f64()
            .ok_or_else(|| ApiError::bad_request("\"fill\" must be a number"))?
            as f32,
    };
    let snapshot = match doc.snapshot {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            ApiError::bad_request(
                "\"snapshot\" must be a sequence number from POST /api/v1/snapshot",
            )
        })?),
    };
    Ok(FetchRequest {
        keys,
        columns,
        fill,
        snapshot,
    })
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains(ARROW_STREAM))
}

fn count_keys(state: &AppState, found: &[bool]) {
    let misses = found.iter().filter(|f| !**f).count();
    state
        .metrics
        .keys_fetched
        .fetch_add(found.len() as u64, Ordering::Relaxed);
    state
        .metrics
        .key_misses
        .fetch_add(misses as u64, Ordering::Relaxed);
}

/// `POST /api/v1/table/{name}/fetch`: an Arrow IPC stream of one batch, or JSON columns
/// and found flags with `Accept: application/json`.
pub async fn fetch(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let as_json = wants_json(&headers);
    let body = read_body(&state, &headers, body).await?;
    let req = parse_fetch(&body, false)?;
    let view = View::of(&state, req.snapshot)?;
    let (bytes, found) = read_call(&state, body.len(), move |db| {
        let schema = view.schema(db, &name)?;
        let key_type = schema
            .field_with_name(&key_of(&schema))
            .map(|f| f.data_type().clone())?;
        let keys = data::keys_from_json(req.keys.get(), &key_type)?;
        let columns = req.columns.unwrap_or_else(|| all_columns(&schema));
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let (batch, found) = view.read(db, &name, &keys, &names)?;
        let bytes = if as_json {
            data::batch_json(&batch, &found)?
        } else {
            data::batch_ipc(&batch)?
        };
        Ok((bytes, found))
    })
    .await?;
    count_keys(&state, &found);
    if as_json {
        return Ok(json_response(StatusCode::OK, bytes));
    }
    let mut resp = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, ARROW_STREAM)],
        bytes,
    )
        .into_response();
    // The found flags also travel as a column-free header for IPC readers that want them
    // without comparing nulls: one '1' or '0' per key (omitted beyond 8192 keys).
    if found.len() <= 8192 {
        let flags: String = found.iter().map(|f| if *f { '1' } else { '0' }).collect();
        if let Ok(v) = HeaderValue::from_str(&flags) {
            resp.headers_mut().insert("x-murr-found", v);
        }
    }
    Ok(resp)
}

/// `POST /api/v1/table/{name}/fetch_f32`: the dense read. The body is `keys.len() *
/// columns.len()` little-endian float32 values, row-major, then one byte (0 or 1) per key
/// saying whether it was found; `X-Murr-Shape: rows,columns`. With `Accept:
/// application/json`: `{"shape": [rows, columns], "values": [...], "found": [...]}`
/// (NaN fills as null).
pub async fn fetch_f32(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let as_json = wants_json(&headers);
    let body = read_body(&state, &headers, body).await?;
    let req = parse_fetch(&body, true)?;
    let view = View::of(&state, req.snapshot)?;
    let columns = req.columns.unwrap_or_default();
    let cols = columns.len();
    let (values, found) = read_call(&state, body.len(), move |db| {
        let schema = view.schema(db, &name)?;
        let key_type = schema
            .field_with_name(&key_of(&schema))
            .map(|f| f.data_type().clone())?;
        let keys = data::keys_from_json(req.keys.get(), &key_type)?;
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let len = keys
            .len()
            .checked_mul(cols)
            .ok_or_else(|| ApiError::bad_request("too many values"))?;
        let mut out = vec![0f32; len];
        let found = view.read_f32(db, &name, &keys, &names, req.fill, &mut out)?;
        Ok((out, found))
    })
    .await?;
    count_keys(&state, &found);
    let rows = found.len();
    if as_json {
        let v = json!({"shape": [rows, cols], "values": values, "found": found});
        return Ok(json_value(StatusCode::OK, &v));
    }
    let mut bytes = Vec::with_capacity(values.len() * 4 + found.len());
    for v in &values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.extend(found.iter().map(|f| u8::from(*f)));
    let shape = format!("{rows},{cols}");
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::HeaderName::from_static("x-murr-shape"), shape),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /api/v1/table/{name}/delete`: `{"seq": n}`.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let body = read_body(&state, &headers, body).await?;
    let req = parse_fetch(&body, false)?;
    let seq = blocking(&state, move |db| {
        let schema = db.schema(&name)?;
        let key_type = schema
            .field_with_name(&key_of(&schema))
            .map(|f| f.data_type().clone())?;
        let keys = data::keys_from_json(req.keys.get(), &key_type)?;
        Ok(db.delete(&name, &keys)?)
    })
    .await?;
    Ok(json_value(StatusCode::OK, &json!({"seq": seq})))
}

/// `POST /api/v1/snapshot`: holds a snapshot; `{"seq": n}` names it to fetches.
pub async fn take_snapshot(State(state): State<Arc<AppState>>) -> ApiResult<Response> {
    let st = Arc::clone(&state);
    let seq = blocking(&state, move |db| st.snapshots.take(db)).await?;
    Ok(json_value(StatusCode::OK, &json!({"seq": seq})))
}

/// `DELETE /api/v1/snapshot/{seq}`: releases a held snapshot.
pub async fn release_snapshot(
    State(state): State<Arc<AppState>>,
    Path(seq): Path<String>,
) -> ApiResult<Response> {
    let seq: u64 = seq
        .parse()
        .map_err(|_| ApiError::bad_request(format!("'{seq}' is not a sequence number")))?;
    state.snapshots.release(seq)?;
    Ok(json_value(StatusCode::OK, &json!({"released": seq})))
}
