//! Errors of the HTTP face: a status and a message, answered as `{"error": message}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use murr_core::Error;

/// A failed request: the HTTP status to answer with and a message naming what is wrong.
#[derive(Debug)]
pub struct ApiError {
    /// The status answered.
    pub status: StatusCode,
    /// The message answered as `{"error": message}`.
    pub message: String,
}

impl ApiError {
    /// A 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// An error with any status.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// A 500 for a failure of the server itself (a blocking task that panicked...).
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

/// The status of each core error: unknown table 404, existing table 409, what the caller
/// sent wrong 400, a body beyond a limit 413, the rest (I/O, corruption, a closed or
/// stopped database) 500.
pub fn status_of(err: &Error) -> StatusCode {
    match err {
        Error::UnknownTable { .. } => StatusCode::NOT_FOUND,
        Error::TableExists { .. } => StatusCode::CONFLICT,
        Error::SchemaMismatch(_)
        | Error::InvalidArgument(_)
        | Error::UnknownColumn { .. }
        | Error::KeyTypeMismatch { .. }
        | Error::NullKey { .. }
        | Error::UnsupportedType { .. }
        | Error::UnsupportedKeyType { .. }
        | Error::Arrow(_) => StatusCode::BAD_REQUEST,
        Error::LimitExceeded(_) => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError::new(status_of(&err), err.to_string())
    }
}

impl From<arrow_schema::ArrowError> for ApiError {
    fn from(err: arrow_schema::ArrowError) -> Self {
        ApiError::bad_request(err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message }).to_string();
        (
            self.status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
