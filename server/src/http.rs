//! The HTTP router: routes, the bearer-token check, the metrics middleware, body limits.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes;

/// The router of every route, on `state`.
pub fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/openapi.json", get(routes::openapi))
        .route("/metrics", get(routes::metrics))
        .route("/api/v1/table", get(routes::list_tables))
        .route("/api/v1/table/{name}", put(routes::create_table))
        .route("/api/v1/table/{name}/schema", get(routes::get_schema))
        .route(
            "/api/v1/table/{name}/write",
            put(routes::write).post(routes::write),
        )
        .route("/api/v1/table/{name}/fetch", post(routes::fetch))
        .route("/api/v1/table/{name}/fetch_f32", post(routes::fetch_f32))
        .route("/api/v1/table/{name}/delete", post(routes::delete))
        .route("/api/v1/snapshot", post(routes::take_snapshot))
        .route("/api/v1/snapshot/{seq}", delete(routes::release_snapshot))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&state), auth));
    Router::new()
        .route("/health", get(routes::health))
        .merge(api)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&state), track))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("no route {}", uri.path()))
}

/// Refuses a request without the bearer token, when the server has one.
async fn auth(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Some(token) = &state.token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| same(g.as_bytes(), token.as_bytes())) {
            let mut resp = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing or wrong bearer token (Authorization: Bearer <token>)",
            )
            .into_response();
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            return resp;
        }
    }
    next.run(req).await
}

/// Compares in time independent of where the bytes differ.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Counts requests, latency and bytes by route template.
async fn track(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().as_str().to_owned();
    let resp = next.run(req).await;
    if let Some(n) = resp.body().size_hint().exact() {
        state.metrics.bytes_out.fetch_add(n, Ordering::Relaxed);
    }
    state
        .metrics
        .record(&route, &method, resp.status().as_u16(), start.elapsed());
    resp
}

/// Reads a request body of at most the server's `max_body_bytes` (413 beyond).
pub async fn read_body(state: &AppState, headers: &HeaderMap, body: Body) -> ApiResult<Bytes> {
    let limit = state.max_body_bytes;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than the server's limit of {limit} bytes (--max-body-bytes)"
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(s) = source {
            if s.is::<http_body_util::LengthLimitError>() {
                return too_large();
            }
            source = s.source();
        }
        ApiError::bad_request(format!("cannot read the request body: {e}"))
    })?;
    state
        .metrics
        .bytes_in
        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
    Ok(bytes)
}
