//! Arrow Flight (`--flight-port`): the tables as flights.
//!
//! - `list_flights`: one flight per table (descriptor path `[table]`, its schema, one
//!   endpoint whose ticket scans the whole table);
//! - `get_flight_info`, `get_schema`: descriptor path `[table]`;
//! - `do_get`: a JSON ticket `{"table": t, "keys": [...], "columns": [...]}` reads the keys
//!   (one row per key, as the HTTP fetch); without `keys`, every live row in key order (a
//!   scan of `columns`, default all);
//! - `do_put`: descriptor path `[table]` on the first message, then record batches, cast to
//!   the table's types and written as one atomic write; one `PutResult` whose
//!   `app_metadata` is `{"seq": n}`.
//!
//! With a token, every call needs the `authorization: Bearer <token>` header.

use std::pin::Pin;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::error::FlightError;
use arrow_flight::flight_service_server::FlightService;
use arrow_flight::{
    Action, ActionType, Criteria, Empty, FlightData, FlightDescriptor, FlightEndpoint, FlightInfo,
    HandshakeRequest, HandshakeResponse, PollInfo, PutResult, SchemaAsIpc, SchemaResult, Ticket,
};
use arrow_ipc::writer::IpcWriteOptions;
use axum::http::StatusCode;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use murr_core::db::Db;
use serde_json::{Value, json};
use tonic::{Request, Response, Status, Streaming};

use crate::data;
use crate::error::ApiError;
use crate::schema::{all_columns, key_of};

type Stream<T> = Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The Flight service over a database.
#[derive(Debug, Clone)]
pub struct FlightHandler {
    db: Arc<Db>,
    token: Option<String>,
    max_body_bytes: usize,
}

/// A `do_get` ticket as sent: the keys left as JSON text (parsed once the key column's type
/// is known), the rest as JSON values. Other members are ignored.
#[derive(serde::Deserialize)]
struct TicketDoc {
    table: Option<Value>,
    keys: Option<Box<serde_json::value::RawValue>>,
    columns: Option<Value>,
}

impl FlightHandler {
    /// A service over `db`, requiring `token` if given, taking puts of at most
    /// `max_body_bytes` of Arrow data.
    pub fn new(db: Arc<Db>, token: Option<String>, max_body_bytes: usize) -> Self {
        FlightHandler {
            db,
            token,
            max_body_bytes,
        }
    }

    fn check<T>(&self, req: &Request<T>) -> Result<(), Status> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        let given = req
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match given {
            Some(g) if crate::http::same(g.as_bytes(), token.as_bytes()) => Ok(()),
            _ => Err(Status::unauthenticated(
                "missing or wrong bearer token (authorization: Bearer <token>)",
            )),
        }
    }

    async fn blocking<T, F>(&self, f: F) -> Result<T, Status>
    where
        F: FnOnce(&Db) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| Status::internal(format!("the database call failed: {e}")))?
            .map_err(status)
    }

    /// A keyed read: inline on the worker when the ticket is small, else on the blocking
    /// pool (as `routes::read_call`).
    async fn read_call<T, F>(&self, ticket_len: usize, f: F) -> Result<T, Status>
    where
        F: FnOnce(&Db) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if ticket_len <= crate::routes::INLINE_READ_BYTES {
            return f(&self.db).map_err(status);
        }
        self.blocking(f).await
    }

    async fn info(&self, table: String) -> Result<FlightInfo, Status> {
        let schema = self
            .blocking({
                let table = table.clone();
                move |db| Ok(db.schema(&table)?)
            })
            .await?;
        let ticket = json!({ "table": table }).to_string();
        FlightInfo::new()
            .try_with_schema(&schema)
            .map_err(|e| Status::internal(e.to_string()))
            .map(|i| {
                i.with_descriptor(FlightDescriptor::new_path(vec![table]))
                    .with_endpoint(FlightEndpoint::new().with_ticket(Ticket::new(ticket)))
                    .with_total_records(-1)
            })
    }
}

/// The gRPC status of an API error.
fn status(e: ApiError) -> Status {
    match e.status {
        StatusCode::NOT_FOUND => Status::not_found(e.message),
        StatusCode::CONFLICT => Status::already_exists(e.message),
        StatusCode::PAYLOAD_TOO_LARGE => Status::resource_exhausted(e.message),
        StatusCode::UNAUTHORIZED => Status::unauthenticated(e.message),
        s if s.is_client_error() => Status::invalid_argument(e.message),
        _ => Status::internal(e.message),
    }
}

/// The table a descriptor names: a path of one element.
fn table_of(d: &FlightDescriptor) -> Result<String, Status> {
    match d.path.as_slice() {
        [table] => Ok(table.clone()),
        _ => Err(Status::invalid_argument(
            "the flight descriptor must be a path of one element: [table]",
        )),
    }
}

/// Record batches as a Flight data stream.
fn encode(batches: BoxStream<'static, Result<RecordBatch, FlightError>>) -> Stream<FlightData> {
    Box::pin(
        FlightDataEncoderBuilder::new()
            .build(batches)
            .map_err(Status::from),
    )
}

#[tonic::async_trait]
impl FlightService for FlightHandler {
    type HandshakeStream = Stream<HandshakeResponse>;
    type ListFlightsStream = Stream<FlightInfo>;
    type DoGetStream = Stream<FlightData>;
    type DoPutStream = Stream<PutResult>;
    type DoActionStream = Stream<arrow_flight::Result>;
    type ListActionsStream = Stream<ActionType>;
    type DoExchangeStream = Stream<FlightData>;

    async fn handshake(
        &self,
        _req: Request<Streaming<HandshakeRequest>>,
    ) -> Result<Response<Self::HandshakeStream>, Status> {
        Err(Status::unimplemented(
            "no handshake: send the bearer token in the authorization header",
        ))
    }

    async fn list_flights(
        &self,
        req: Request<Criteria>,
    ) -> Result<Response<Self::ListFlightsStream>, Status> {
        self.check(&req)?;
        let tables = self.blocking(|db| Ok(db.tables()?)).await?;
        let mut infos = Vec::with_capacity(tables.len());
        for t in tables {
            match self.info(t).await {
                Ok(i) => infos.push(Ok(i)),
                Err(s) if s.code() == tonic::Code::NotFound => {} // dropped meanwhile
                Err(s) => return Err(s),
            }
        }
        Ok(Response::new(Box::pin(stream::iter(infos))))
    }

    async fn get_flight_info(
        &self,
        req: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        self.check(&req)?;
        let table = table_of(req.get_ref())?;
        Ok(Response::new(self.info(table).await?))
    }

    async fn poll_flight_info(
        &self,
        _req: Request<FlightDescriptor>,
    ) -> Result<Response<PollInfo>, Status> {
        Err(Status::unimplemented(
            "poll_flight_info: use get_flight_info",
        ))
    }

    async fn get_schema(
        &self,
        req: Request<FlightDescriptor>,
    ) -> Result<Response<SchemaResult>, Status> {
        self.check(&req)?;
        let table = table_of(req.get_ref())?;
        let schema = self.blocking(move |db| Ok(db.schema(&table)?)).await?;
        let result: SchemaResult = SchemaAsIpc::new(&schema, &IpcWriteOptions::default())
            .try_into()
            .map_err(|e: arrow_schema::ArrowError| Status::internal(e.to_string()))?;
        Ok(Response::new(result))
    }

    async fn do_get(&self, req: Request<Ticket>) -> Result<Response<Self::DoGetStream>, Status> {
        self.check(&req)?;
        let ticket_len = req.get_ref().ticket.len();
        let ticket: TicketDoc = serde_json::from_slice(&req.get_ref().ticket).map_err(|e| {
            Status::invalid_argument(format!(
                "the ticket must be JSON {{\"table\", \"keys\", \"columns\"}}: {e}"
            ))
        })?;
        let table = ticket
            .table
            .as_ref()
            .and_then(Value::as_str)
            .ok_or_else(|| Status::invalid_argument("the ticket needs \"table\""))?
            .to_owned();
        let columns: Option<Vec<String>> = match ticket.columns {
            None | Some(Value::Null) => None,
            Some(c) => Some(
                serde_json::from_value(c)
                    .map_err(|_| Status::invalid_argument("\"columns\" must be a list of names"))?,
            ),
        };
        let keys = match ticket.keys {
            None => None,
            Some(k) if k.get().trim() == "null" => None,
            Some(k) if k.get().trim_start().starts_with('[') => Some(k),
            Some(_) => return Err(Status::invalid_argument("\"keys\" must be a list")),
        };
        let Some(keys) = keys else {
            // A scan, streamed from a blocking thread.
            let scan = self
                .blocking(move |db| {
                    let names: Vec<String> = columns.unwrap_or_default();
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    Ok(db.scan(&table, &names)?)
                })
                .await?;
            let (tx, rx) = tokio::sync::mpsc::channel(2);
            tokio::task::spawn_blocking(move || {
                for batch in scan {
                    if tx.blocking_send(batch.map_err(FlightError::Arrow)).is_err() {
                        break;
                    }
                }
            });
            let batches =
                stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) });
            return Ok(Response::new(encode(batches.boxed())));
        };
        let batch = self
            .read_call(ticket_len, move |db| {
                let schema = db.schema(&table)?;
                let key_type = schema
                    .field_with_name(&key_of(&schema))
                    .map(|f| f.data_type().clone())?;
                let keys = data::keys_from_json(keys.get(), &key_type)?;
                let columns = columns.unwrap_or_else(|| all_columns(&schema));
                let names: Vec<&str> = columns.iter().map(String::as_str).collect();
                Ok(db.read(&table, &keys, &names)?.0)
            })
            .await?;
        Ok(Response::new(encode(stream::iter([Ok(batch)]).boxed())))
    }

    async fn do_put(
        &self,
        req: Request<Streaming<FlightData>>,
    ) -> Result<Response<Self::DoPutStream>, Status> {
        self.check(&req)?;
        let mut input = req.into_inner();
        let first = input
            .message()
            .await?
            .ok_or_else(|| Status::invalid_argument("an empty put"))?;
        let table = first
            .flight_descriptor
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("the first message needs a flight descriptor"))
            .and_then(table_of)?;
        let limit = self.max_body_bytes;
        let mut seen = first.data_body.len() + first.data_header.len();
        let rest = input.map_err(|s| FlightError::Tonic(Box::new(s)));
        let all = stream::iter([Ok(first)]).chain(rest);
        let mut decoded = arrow_flight::decode::FlightRecordBatchStream::new_from_flight_data(all);
        let mut batches = Vec::new();
        while let Some(batch) = decoded.next().await {
            let batch =
                batch.map_err(|e| Status::invalid_argument(format!("bad Flight data: {e}")))?;
            seen += batch.get_array_memory_size();
            if seen > limit {
                return Err(Status::resource_exhausted(format!(
                    "the put is larger than the server's limit of {limit} bytes (--max-body-bytes)"
                )));
            }
            batches.push(batch);
        }
        let seq = self
            .blocking(move |db| {
                let schema = db.schema(&table)?;
                let batch = data::conform_batches(&batches, &schema)?;
                Ok(db.write(&table, &batch)?)
            })
            .await?;
        let result = PutResult {
            app_metadata: json!({ "seq": seq }).to_string().into(),
        };
        Ok(Response::new(Box::pin(stream::iter([Ok(result)]))))
    }

    async fn do_exchange(
        &self,
        _req: Request<Streaming<FlightData>>,
    ) -> Result<Response<Self::DoExchangeStream>, Status> {
        Err(Status::unimplemented("do_exchange"))
    }

    async fn do_action(
        &self,
        _req: Request<Action>,
    ) -> Result<Response<Self::DoActionStream>, Status> {
        Err(Status::unimplemented("no actions"))
    }

    async fn list_actions(
        &self,
        _req: Request<Empty>,
    ) -> Result<Response<Self::ListActionsStream>, Status> {
        Ok(Response::new(Box::pin(stream::empty())))
    }
}
