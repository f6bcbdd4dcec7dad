# libmurr: the two commands of the README, plus the ones developers use.
#   make demo   set up, then run the demo (ingest 1M rows, serve random 1000-key batches)
#   make test   set up, then run every test of every language (what CI runs)

.PHONY: demo test setup bench bench-micro bench-wasm bench-remote bench-server crash fuzz miri clean

ROWS ?= 1000000

demo:
	@scripts/setup.sh demo
	cargo run --release --locked -p murr-cli -- demo --rows $(ROWS)

test: setup
	scripts/test.sh

setup:
	@scripts/setup.sh

# Not part of `make test` (about 30 minutes): every workload of docs/WORKLOAD.md through libmurr,
# the in-memory baselines, RocksDB and Redis (a redis-server started and stopped by the
# script), at 1M and 10M rows (BENCH_100M=1 adds 100M rows of libmurr), written into
# BENCHMARKS.md and BENCHMARKS-scaling.png (core/benches/suite, scripts/bench.sh).
bench: setup
	scripts/bench.sh

# Not part of `make test`: R1/R2/R5 on one segment against the in-memory baselines, then the
# engine (W1, W2, R1 around compaction, R1, R1mem, R4, O1 through Db), then the merge alone.
bench-micro: setup
	cargo bench --locked -p murr-core --bench segment_read -- --rows $(ROWS)
	cargo bench --locked -p murr-core --bench engine -- --rows $(ROWS)
	cargo bench --locked -p murr-core --bench merge

# Not part of `make test`: R1 in Node through the WASM reader, and natively in the same run.
bench-wasm: setup
	scripts/build-wasm.sh
	cd wasm && npm ci --no-audit --no-fund --loglevel=error && node bench/r1.mjs --rows $(ROWS)

# Not part of `make test`: bytes and range requests of remote reads (1, 100, 1000 keys)
# through the WASM package over HTTP, from a 1 GB segment written to a temp dir and deleted.
bench-remote: setup
	scripts/bench-remote.sh

# Not part of `make test`: R7, R1 in process, over HTTP + Arrow IPC, over Arrow Flight and
# Redis MGET over loopback, alternating (server/benches/r7; Redis left out unless
# redis-server is installed: apt-get install redis-server).
bench-server: setup
	cargo bench --locked -p murr-server --bench r7 -- --rows $(ROWS)

# Not part of `make test`: the kill -9 crash test for CRASH_CYCLES cycles (CI runs 20).
CRASH_CYCLES ?= 500
crash: setup
	MURR_CRASH_CYCLES=$(CRASH_CYCLES) cargo test --release --locked -p murr-core --test crash -- --nocapture

# Local only: coverage-guided fuzzing of the segment reader (local and remote), the
# manifest decoder, the deletion-vector decoder, the WASM reader's own parsers and the
# write-ahead log reader, and Miri
# over the codec tests.
fuzz:
	mkdir -p fuzz/corpus/segment_resealed fuzz/corpus/segment_read fuzz/corpus/manifest_decode
	cargo +nightly fuzz run segment_resealed fuzz/corpus/segment_resealed fuzz/seeds/segment_read -- -max_total_time=300
	cargo +nightly fuzz run segment_read fuzz/corpus/segment_read fuzz/seeds/segment_read -- -max_total_time=300
	cargo +nightly fuzz run manifest_decode fuzz/corpus/manifest_decode fuzz/seeds/manifest_decode -- -max_total_time=300
	mkdir -p fuzz/corpus/dv_decode
	cargo +nightly fuzz run dv_decode fuzz/corpus/dv_decode fuzz/seeds/dv_decode -- -max_total_time=300
	mkdir -p fuzz/corpus/remote_read fuzz/corpus/wasm_parse
	cargo +nightly fuzz run remote_read fuzz/corpus/remote_read fuzz/seeds/segment_read -- -max_total_time=300
	cargo +nightly fuzz run wasm_parse fuzz/corpus/wasm_parse fuzz/seeds/wasm_parse -- -max_total_time=300
	mkdir -p fuzz/corpus/wal_read
	cargo +nightly fuzz run wal_read fuzz/corpus/wal_read fuzz/seeds/wal_read -- -max_total_time=300

miri:
	scripts/miri.sh

clean:
	cargo clean
