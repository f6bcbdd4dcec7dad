//! Arrow Flight: list_flights, get_flight_info, get_schema, do_get (keys and scan), do_put,
//! errors and the token, through arrow-flight's own client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Float32Array, Float64Array, Int32Array, RecordBatch, StringArray,
};
use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::error::FlightError;
use arrow_flight::{FlightClient, FlightDescriptor, Ticket};
use arrow_schema::{DataType, Field, Schema};
use common::{TestServer, USERS};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;

async fn client(s: &TestServer) -> FlightClient {
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", s.flight_addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut c = FlightClient::new(channel);
    if let Some(t) = &s.token {
        c.add_header("authorization", &format!("Bearer {t}"))
            .unwrap();
    }
    c
}

fn batch(ids: &[&str], score: f64) -> RecordBatch {
    RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("score", DataType::Float64, true),
        ])),
        vec![
            Arc::new(StringArray::from(ids.to_vec())) as ArrayRef,
            Arc::new(Float64Array::from(vec![score; ids.len()])),
        ],
    )
    .unwrap()
}

async fn put(
    c: &mut FlightClient,
    table: &str,
    batches: Vec<RecordBatch>,
) -> Result<u64, FlightError> {
    let data = FlightDataEncoderBuilder::new()
        .with_flight_descriptor(Some(FlightDescriptor::new_path(vec![table.to_owned()])))
        .build(futures::stream::iter(batches.into_iter().map(Ok)));
    let results: Vec<_> = c.do_put(data).await?.try_collect().await?;
    assert_eq!(results.len(), 1);
    let meta: serde_json::Value = serde_json::from_slice(&results[0].app_metadata).unwrap();
    Ok(meta["seq"].as_u64().unwrap())
}

async fn get(
    c: &mut FlightClient,
    ticket: serde_json::Value,
) -> Result<Vec<RecordBatch>, FlightError> {
    c.do_get(Ticket::new(ticket.to_string()))
        .await?
        .try_collect()
        .await
}

fn code(e: FlightError) -> tonic::Code {
    match e {
        FlightError::Tonic(s) => s.code(),
        other => panic!("not a gRPC status: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flight_routes() {
    let mut s = TestServer::start().await;
    s.create("users", USERS).await;
    let mut c = client(&s).await;

    let seq = put(
        &mut c,
        "users",
        vec![batch(&["b", "a"], 0.5), batch(&["c"], 2.0)],
    )
    .await
    .unwrap();
    assert!(seq > 0);

    // do_get by keys: one row per key; columns as asked.
    let got = get(
        &mut c,
        json!({"table": "users", "keys": ["c", "zz", "a"], "columns": ["score"]}),
    )
    .await
    .unwrap();
    assert_eq!(got.len(), 1);
    let score = got[0]
        .column(0)
        .as_any()
        .downcast_ref::<Float32Array>()
        .unwrap();
    assert_eq!(score.value(0), 2.0);
    assert!(score.is_null(1));
    assert_eq!(score.value(2), 0.5);

    // do_get without keys: a scan in key order, every column.
    let rows: Vec<RecordBatch> = get(&mut c, json!({"table": "users"})).await.unwrap();
    let all = arrow_select::concat::concat_batches(&rows[0].schema(), &rows).unwrap();
    assert_eq!(all.num_rows(), 3);
    assert_eq!(all.schema().field(0).name(), "id");
    let ids = all
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert_eq!(ids.iter().flatten().collect::<Vec<_>>(), ["a", "b", "c"]);

    // list_flights, get_flight_info (its ticket scans), get_schema.
    s.create(
        "other",
        r#"{"key": "k", "columns": {"k": {"dtype": "int64"}}}"#,
    )
    .await;
    let flights: Vec<_> = c
        .list_flights("")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = flights
        .iter()
        .map(|f| f.flight_descriptor.as_ref().unwrap().path[0].clone())
        .collect();
    assert_eq!(names, ["users", "other"]);
    let info = c
        .get_flight_info(FlightDescriptor::new_path(vec!["users".into()]))
        .await
        .unwrap();
    let schema = info.clone().try_decode_schema().unwrap();
    assert_eq!(schema.fields().len(), 4);
    let ticket = info.endpoint[0].ticket.clone().unwrap();
    let via_info: Vec<RecordBatch> = c.do_get(ticket).await.unwrap().try_collect().await.unwrap();
    assert_eq!(via_info.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
    let schema = c
        .get_schema(FlightDescriptor::new_path(vec!["users".into()]))
        .await
        .unwrap();
    assert_eq!(schema.field(1).name(), "score");
    assert_eq!(schema.field(1).data_type(), &DataType::Float32);

    // Errors: unknown table, bad ticket, unknown column, bad descriptor; a bad put applies
    // nothing.
    let e = get(&mut c, json!({"table": "ghost", "keys": ["a"]}))
        .await
        .unwrap_err();
    assert_eq!(code(e), tonic::Code::NotFound);
    let e = c
        .do_get(Ticket::new("not json"))
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(code(e), tonic::Code::InvalidArgument);
    let e = get(
        &mut c,
        json!({"table": "users", "keys": ["a"], "columns": ["nope"]}),
    )
    .await
    .unwrap_err();
    assert_eq!(code(e), tonic::Code::InvalidArgument);
    let e = c
        .get_schema(FlightDescriptor::new_path(vec!["a".into(), "b".into()]))
        .await
        .unwrap_err();
    assert_eq!(code(e), tonic::Code::InvalidArgument);
    let wrong = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("nope", DataType::Int32, true),
        ])),
        vec![
            Arc::new(StringArray::from(vec!["new"])) as ArrayRef,
            Arc::new(Int32Array::from(vec![1])),
        ],
    )
    .unwrap();
    let e = put(&mut c, "users", vec![wrong]).await.unwrap_err();
    assert_eq!(code(e), tonic::Code::InvalidArgument);
    // A good batch, then one with a null key: the put is one write, refused whole.
    let nullable = Arc::new(Schema::new(vec![Field::new("id", DataType::Utf8, true)]));
    let ids = |v: Vec<Option<&str>>| {
        RecordBatch::try_new(
            Arc::clone(&nullable),
            vec![Arc::new(StringArray::from(v)) as ArrayRef],
        )
        .unwrap()
    };
    let e = put(
        &mut c,
        "users",
        vec![ids(vec![Some("new2")]), ids(vec![Some("new3"), None])],
    )
    .await
    .unwrap_err();
    assert_eq!(code(e), tonic::Code::InvalidArgument);
    let e = put(&mut c, "ghost", vec![batch(&["x"], 1.0)])
        .await
        .unwrap_err();
    assert_eq!(code(e), tonic::Code::NotFound);
    let got = get(
        &mut c,
        json!({"table": "users", "keys": ["new", "new2", "new3"], "columns": ["id"]}),
    )
    .await
    .unwrap();
    assert_eq!(
        got[0].column(0).null_count(),
        3,
        "nothing of the bad put applied"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flight_token() {
    let mut s = TestServer::with(Some("fl1ght"), 1 << 20).await;
    s.create("users", USERS).await;
    let mut with = client(&s).await;
    let seq = put(&mut with, "users", vec![batch(&["a"], 1.0)])
        .await
        .unwrap();
    assert!(seq > 0);
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", s.flight_addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut without = FlightClient::new(channel);
    let e = without.list_flights("").await.map(|_| ()).unwrap_err();
    assert_eq!(code(e), tonic::Code::Unauthenticated);
    let e = get(&mut without, json!({"table": "users", "keys": ["a"]}))
        .await
        .unwrap_err();
    assert_eq!(code(e), tonic::Code::Unauthenticated);
    without.add_header("authorization", "Bearer wrong").unwrap();
    let e = put(&mut without, "users", vec![batch(&["b"], 1.0)])
        .await
        .unwrap_err();
    assert_eq!(code(e), tonic::Code::Unauthenticated);
    let flights: Vec<_> = with.list_flights("").await.unwrap().collect().await;
    assert_eq!(flights.len(), 1);
    s.stop().await;
}
