//! Reads `COLUMNS` (comma-separated, numeric) for `KEY...` from the segment file at `PATH`
//! with the Rust core (`Segment::get`) and prints what it says as JSON:
//! `{"found": [true, false, ...], "values": {"f0": [0.031, null, ...], ...}}` (null where a
//! key is absent or a value null). The browser demo test (`scripts/test-browser.sh`) checks
//! the values the page shows against this.
//!
//! ```text
//! cargo run --release -p murr-core --example read_keys -- PATH COLUMNS KEY...
//! cargo run --release -p murr-core --example read_keys -- PATH --rows   # the row count
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, StringArray};
use arrow_schema::DataType;
use murr_core::segment::Segment;
use serde_json::{Map, Value, json};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: read_keys PATH COLUMNS KEY...");
    let columns = args.next().expect("COLUMNS or --rows");
    let segment = Segment::open(&path).unwrap();
    if columns == "--rows" {
        println!("{}", segment.row_count());
        return;
    }
    let columns: Vec<String> = columns.split(',').map(str::to_owned).collect();
    let keys = StringArray::from_iter_values(args);
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let (batch, found) = segment.get(&keys, &names).unwrap();
    let mut values = Map::new();
    for (name, col) in columns.iter().zip(batch.columns()) {
        let at = |i: usize| -> Value {
            if col.is_null(i) {
                return Value::Null;
            }
            match col.data_type() {
                DataType::Float32 => json!(f64::from(col.as_primitive::<Float32Type>().value(i))),
                DataType::Float64 => json!(col.as_primitive::<Float64Type>().value(i)),
                DataType::Int32 => json!(col.as_primitive::<Int32Type>().value(i)),
                DataType::Int64 => json!(col.as_primitive::<Int64Type>().value(i)),
                other => panic!("column {name}: {other} is not a numeric type read_keys prints"),
            }
        };
        values.insert(name.clone(), (0..col.len()).map(at).collect());
    }
    println!("{}", json!({ "found": found, "values": values }));
}
