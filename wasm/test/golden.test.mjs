// The reader gives the Rust core's answers for every golden file: schema, row count, keys,
// and every column of every query (found flags, values, nulls) through the IPC stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableFromIPC } from 'apache-arrow';
import { SegmentReader } from '../pkg/node/murr.js';
import { goldens, jsKeys, toJson } from './golden.mjs';

for (const { name, answers, bytes } of goldens()) {
  test(`${name}: schema, row count, format version`, () => {
    const r = new SegmentReader(bytes);
    try {
      r.verify();
      assert.equal(r.rowCount(), answers.row_count);
      assert.equal(r.formatVersion(), answers.format_version);
      assert.equal(r.keyName(), answers.key);
      assert.deepEqual(r.schema(), { key: answers.key, fields: answers.fields });
    } finally {
      r.free();
    }
  });

  test(`${name}: keys() is every key in order`, () => {
    const r = new SegmentReader(bytes);
    try {
      const t = tableFromIPC(r.keys());
      assert.equal(t.numCols, 1);
      assert.equal(t.schema.fields[0].name, answers.key);
      const keys = t.getChild(answers.key);
      assert.deepEqual(Array.from({ length: t.numRows }, (_, i) => toJson(keys, i)), answers.keys);
    } finally {
      r.free();
    }
  });

  answers.queries.forEach((q, qi) => {
    test(`${name}: query ${qi} (${q.keys.length} keys) equals the Rust answer`, () => {
      const r = new SegmentReader(bytes);
      const keyType = answers.fields[0].type;
      const res = r.get(jsKeys(q.keys, keyType), q.columns);
      try {
        assert.equal(res.numRows, q.keys.length);
        assert.deepEqual(Array.from(res.found, Boolean), q.found);
        const t = tableFromIPC(res.ipc);
        assert.equal(t.numRows, q.keys.length);
        assert.deepEqual(t.schema.fields.map((f) => f.name), q.columns);
        assert.ok(t.schema.fields.every((f) => f.nullable), 'every result column is nullable');
        for (const c of q.columns) {
          const v = t.getChild(c);
          const got = Array.from({ length: t.numRows }, (_, i) => toJson(v, i));
          assert.deepEqual(got, q.values[c], `column ${c}`);
          assert.deepEqual(Array.from(res.nulls(c), Boolean), q.values[c].map((x) => x === null), `nulls of ${c}`);
        }
      } finally {
        res.free();
        r.free();
      }
    });
  });
}
