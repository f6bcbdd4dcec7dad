"""The engine's metrics (murr_db_metrics, murr_db_metrics_prometheus) through Murr.metrics."""

import pyarrow as pa

import libmurr
from libmurr import ColumnSchema, DType, LocalMurr, Murr, TableSchema


def _create(db):
    db.create_table(
        "f",
        TableSchema("k", {"k": ColumnSchema(DType.UTF8, nullable=False), "a": ColumnSchema(DType.FLOAT32)}),
    )


def test_counters_move_by_what_the_calls_did(tmp_path):
    with Murr.open(tmp_path / "db", sync="never", background_threads=0) as db:
        _create(db)
        m0 = db.metrics()
        assert isinstance(m0, libmurr.Metrics)
        assert m0.enabled is True
        assert (m0.reads, m0.writes, m0.read_keys) == (0, 0, 0)
        db.write("f", pa.table({"k": ["x", "y", "z"], "a": pa.array([1.0, 2.0, 3.0], pa.float32())}))
        db.write("f", pa.table({"k": ["w"], "a": pa.array([4.0], pa.float32())}))
        db.delete("f", ["y"])
        # 5 keys, 3 absent (one deleted, two never written).
        batch = db.read("f", ["x", "y", "nope", "w", "gone"], ["a"])
        assert batch.column(0).to_pylist() == [1.0, None, None, 4.0, None]
        db.read_tensor("f", ["z", "nope"], ["a"])
        m = db.metrics()
        assert (m.writes, m.write_rows) == (2, 4)
        assert (m.deletes, m.delete_keys) == (1, 1)
        assert (m.reads, m.read_keys, m.read_misses) == (2, 7, 4)
        assert m.read_bytes > 0 and m.log_bytes > 0
        assert sum(m.read_latency_buckets) == 2 and len(m.read_latency_buckets) == 40
        assert 0 < m.read_latency_p50_ns <= m.read_latency_p99_ns <= m.read_latency_p999_ns
        assert m.memtable_rows == 5
        db.flush()
        db.compact()
        m2 = db.metrics()
        assert (m2.flushes, m2.compactions) == (1, 1)
        assert m2.flush_rows == 4, "one row per key: x, y (a tombstone), z, w"
        assert (m2.segment_rows, m2.level0_segments, m2.memtable_rows) == (3, 0, 0)
        assert m2.compaction_bytes_written == m2.segment_bytes > 0
        assert m2.reads == m.reads, "metrics() itself reads nothing"


def test_prometheus_text(tmp_path):
    db = LocalMurr(tmp_path / "db", sync="never", background_threads=0)
    try:
        _create(db)
        db.write("f", pa.table({"k": ["x"], "a": pa.array([1.0], pa.float32())}))
        db.read("f", ["x", "q"], ["a"])
        text = db.metrics_prometheus()
        assert "# TYPE murr_reads_total counter\nmurr_reads_total 1\n" in text
        assert "murr_read_misses_total 1\n" in text
        assert 'murr_read_latency_seconds_bucket{le="+Inf"} 1\n' in text
        assert 'murr_table_memtable_rows{table="f"} 1\n' in text
    finally:
        db.close()
