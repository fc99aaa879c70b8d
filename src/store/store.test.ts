import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../kernel/log.js';
import { docTableSql, prefixEnd, startsWithSql, Store, type Change } from './store.js';
import { pageFrom, paginate } from '../kernel/paginate.js';

const migrations = [{ id: 't/001', up: docTableSql('things') }];

test('changes are published after commit, with monotonic revisions, and never on rollback', () => {
  const store = Store.open(':memory:', migrations, silentLogger);
  const seen: Change[] = [];
  store.subscribe((c) => seen.push(...c));
  const things = store.table<{ n: number }>('things');
  store.withTx(() => {
    things.putTx('a', { n: 1 });
    things.putTx('b', { n: 2 });
    assert.equal(seen.length, 0, 'nothing published before commit');
  });
  assert.deepEqual(
    seen.map((c) => [c.revision, c.key, c.op]),
    [
      [1, 'a', 'put'],
      [2, 'b', 'put'],
    ],
  );
  assert.throws(() =>
    store.withTx(() => {
      things.putTx('c', { n: 3 });
      throw new Error('boom');
    }),
  );
  assert.equal(things.get('c'), undefined);
  assert.equal(seen.length, 2, 'a rolled back transaction publishes nothing');
  store.withTx(() => things.putTx('a', { n: 1 }));
  assert.equal(seen.length, 2, 'an identical rewrite is not a change');
  store.withTx(() => things.deleteTx('missing'));
  assert.equal(seen.length, 2, 'deleting a missing row is not a change');
  store.withTx(() => things.deleteTx('a'));
  assert.deepEqual(seen.at(-1), { revision: 3, table: 'things', key: 'a', op: 'delete' });
});

test('a part that fails inside a transaction leaves no row and no change; the writes around it commit', () => {
  const store = Store.open(':memory:', migrations, silentLogger);
  const seen: Change[] = [];
  store.subscribe((c) => seen.push(...c));
  const things = store.table<{ n: number }>('things');
  store.withTx(() => things.putTx('a', { n: 0 }));
  seen.length = 0;
  store.withTx(() => {
    things.putTx('a', { n: 1 });
    assert.throws(
      () =>
        store.partTx(() => {
          things.putTx('b', { n: 2 });
          things.putTx('a', { n: 99 });
          store.partTx(() => things.putTx('c', { n: 3 })); // a nested part that succeeded goes with its parent
          throw new Error('pass failed');
        }),
      /pass failed/,
    );
    assert.equal(things.get('a')?.n, 1, 'the failed part’s overwrite is undone at once');
    store.partTx(() => things.putTx('d', { n: 4 }));
  });
  assert.deepEqual(
    seen.map((c) => [c.key, c.op]),
    [
      ['a', 'put'],
      ['d', 'put'],
    ],
  );
  assert.deepEqual(
    seen.map((c) => c.revision),
    [2, 3],
    'revisions stay consecutive',
  );
  assert.equal(things.get('a')?.n, 1);
  assert.equal(things.get('b'), undefined);
  assert.equal(things.get('c'), undefined);
  assert.equal(things.get('d')?.n, 4);
  assert.throws(() => store.partTx(() => things.putTx('e', { n: 5 })), /partTx outside withTx/);
  store.close();
});

test('a restart after a crash never hands out a revision again, and _meta is not written at every commit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-store-'));
  try {
    const a = Store.open(dir, migrations, silentLogger);
    const stored = () => Number((a.db.prepare(`SELECT value FROM _meta WHERE key = 'revision'`).get() as { value: string }).value);
    a.withTx(() => a.table('things').putTx('k/1', { v: 1 }));
    const ceiling = stored();
    assert.ok(ceiling > 1, 'the first commit records a ceiling above its revision');
    for (let i = 2; i <= 20; i++) a.withTx(() => a.table('things').putTx(`k/${i}`, { v: i }));
    assert.equal(a.revision, 20);
    assert.equal(stored(), ceiling, 'later commits below the ceiling leave _meta alone');
    // A crash: `a` is never closed. A new start reads the ceiling and goes on above it.
    const b = Store.open(dir, migrations, silentLogger);
    assert.ok(b.revision >= 20, `restarted at ${b.revision}, below a revision already published`);
    const seen: number[] = [];
    b.subscribe((changes) => seen.push(...changes.map((c) => c.revision)));
    b.withTx(() => b.table('things').putTx('k/after', { v: 'b' }));
    assert.ok(seen[0]! > 20);
    a.close(); // (the crashed one's handle, only so the test leaks nothing: one store per data dir in real use)
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a view is a frozen copy of the committed row, and every write of its key, a rollback, a wipe or a replayed change is seen', () => {
  const store = Store.open(':memory:', migrations, silentLogger);
  const things = store.table<{ n: number; list: number[] }>('things');
  assert.equal(things.view('a'), undefined);
  store.withTx(() => things.putTx('a', { n: 1, list: [1] }));
  const first = things.view('a')!;
  assert.deepEqual(first, { n: 1, list: [1] });
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.list), 'frozen to the leaves');
  assert.throws(() => first.list.push(2), TypeError);
  assert.equal(things.view('a'), first, 'kept: the same copy again');
  assert.notEqual(things.get('a'), first, 'get still parses a copy of its own');
  store.withTx(() => things.putTx('a', { n: 2, list: [] }));
  assert.equal(things.view('a')!.n, 2, 'a committed write is seen');
  // Inside a transaction, its own uncommitted write is read (not kept); after its rollback, the row as it was.
  assert.throws(() =>
    store.withTx(() => {
      things.putTx('a', { n: 3, list: [] });
      assert.equal(things.view('a')!.n, 3);
      throw new Error('boom');
    }),
  );
  assert.equal(things.view('a')!.n, 2, 'the rolled back write is not kept');
  // A transaction that did not write the row reads and keeps the committed copy.
  store.withTx(() => things.putTx('k', { n: 1, list: [] }));
  const inTx = store.withTx(() => things.view('k'));
  assert.equal(things.view('k'), inTx, 'kept when read inside a transaction that did not write it');
  // A part that wrote it and failed leaves the committed row, which is then read and kept.
  store.withTx(() => {
    assert.throws(() =>
      store.partTx(() => {
        things.putTx('a', { n: 4, list: [] });
        throw new Error('part fails');
      }),
    );
    assert.equal(things.view('a')!.n, 2);
  });
  assert.equal(things.view('a')!.n, 2);
  store.withTx(() => things.deleteTx('a'));
  assert.equal(things.view('a'), undefined, 'a delete is seen');
  store.withTx(() => things.putTx('b', { n: 1, list: [] }));
  assert.equal(things.view('b')!.n, 1);
  store.wipe();
  assert.equal(things.view('b'), undefined, 'a wipe is seen');
  // Another connection's write (a gateway worker follows the main thread this way): replay drops the key.
  store.withTx(() => things.putTx('c', { n: 1, list: [] }));
  assert.equal(things.view('c')!.n, 1);
  store.db.prepare(`UPDATE things SET doc = ? WHERE key = 'c'`).run(JSON.stringify({ n: 5, list: [] }));
  store.replay([{ table: 'things', key: 'c', op: 'put', revision: store.revision + 1 }]);
  assert.equal(things.view('c')!.n, 5, 'a replayed change is seen');
  store.close();
});

test('writes outside a transaction are refused', () => {
  const store = Store.open(':memory:', migrations, silentLogger);
  assert.throws(() => store.table('things').putTx('x', {}), /outside withTx/);
});

test('state, revision and applied migrations survive reopening the directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-store-'));
  try {
    const a = Store.open(dir, migrations, silentLogger);
    a.withTx(() => a.table('things').putTx('k/1', { v: 'x' }));
    a.withTx(() => a.table('things').putTx('k/2', { v: 'y' }));
    a.close();
    const b = Store.open(dir, [...migrations, { id: 't/002', up: docTableSql('more') }], silentLogger);
    assert.equal(b.revision, 2);
    assert.deepEqual(b.table('things').withPrefix('k/'), [{ v: 'x' }, { v: 'y' }]);
    assert.equal(b.table('things').countPrefix('k/'), 2);
    b.withTx(() => b.table('more').putTx('m', { ok: true }));
    assert.equal(b.revision, 3);
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wipe deletes every product row and publishes the deletes', () => {
  const store = Store.open(':memory:', migrations, silentLogger);
  store.withTx(() => store.table('things').putTx('a', {}));
  const seen: Change[] = [];
  store.subscribe((c) => seen.push(...c));
  store.wipe();
  assert.deepEqual(store.table('things').all(), []);
  assert.deepEqual(
    seen.map((c) => [c.key, c.op]),
    [['a', 'delete']],
  );
});

test('regionsInUse lists each key prefix once, across tables, however many rows share it', () => {
  const store = Store.open(':memory:', [{ id: 't/001', up: [docTableSql('things'), docTableSql('others')].join('\n') }], silentLogger);
  assert.deepEqual(store.regionsInUse(), []);
  const things = store.table<{ n: number }>('things');
  const others = store.table<{ n: number }>('others');
  store.withTx(() => {
    for (let i = 0; i < 50; i++) things.putTx(`eu-west-2/thing-${i}/child`, { n: i });
    things.putTx('eu-west-20/x', { n: 0 }); // a longer prefix with the same beginning is scanned past, and is no region
    things.putTx('no-slash-key', { n: 0 }); // a key without a region is skipped
    things.putTx('111111111111:sa-east-1/x', { n: 0 }); // another account's partition names its region
    things.putTx('us-east-1/y', { n: 0 });
    others.putTx('ap-south-1/z', { n: 0 });
  });
  assert.deepEqual(store.regionsInUse(), ['ap-south-1', 'eu-west-2', 'sa-east-1', 'us-east-1']);
  store.withTx(() => things.deleteTx('us-east-1/y'));
  assert.deepEqual(store.regionsInUse(), ['ap-south-1', 'eu-west-2', 'sa-east-1']);
});

test('a prefix scan finds keys whose next character is beyond U+FFFF or is U+FFFF itself, and nothing past the prefix', () => {
  // SQLite compares TEXT by UTF-8 bytes: U+1F600 (F0 9F 98 80) sorts after U+FFFF (EF BF BF), so an upper bound of
  // prefix + '\uffff' used to drop these keys.
  const store = Store.open(':memory:', migrations, silentLogger);
  const things = store.table<{ k: string }>('things');
  const keys = ['g/a', 'g/\u{1F600}x', 'g/\uFFFFy', 'g/\uFFFF', 'g/\u{10FFFF}', 'g0', 'g', 'h/\u{1F600}', 'f/\uFFFF'];
  store.withTx(() => {
    for (const k of keys) things.putTx(k, { k });
  });
  const scanned = (prefix: string) => things.withPrefix(prefix).map((t) => t.k);
  assert.deepEqual(scanned('g/'), ['g/a', 'g/\uFFFF', 'g/\uFFFFy', 'g/\u{1F600}x', 'g/\u{10FFFF}']);
  assert.equal(things.countPrefix('g/'), 5);
  assert.deepEqual(scanned('g/\uFFFF'), ['g/\uFFFF', 'g/\uFFFFy']);
  assert.deepEqual(scanned('g/\u{1F600}'), ['g/\u{1F600}x']);
  assert.equal(things.countPrefix('g/\u{1F600}'), 1);
  assert.deepEqual(
    scanned(''),
    things.all().map((t) => t.k),
    'the empty prefix is every key',
  );
  const plan = store.db.prepare(`EXPLAIN QUERY PLAN SELECT doc FROM things WHERE ${startsWithSql('key')}`).all('g/', prefixEnd('g/')) as Array<{ detail: string }>;
  assert.match(plan.map((p) => p.detail).join(' '), /SEARCH things USING INDEX sqlite_autoindex_things_1 \(key>\? AND key<\?\)/, "the scan is a range on the key's index");
});

test('a keyed page walk returns every document under a prefix once, in the order and with the tokens paginate gives', () => {
  const store = Store.open(':memory:', migrations, silentLogger);
  const things = store.table<{ id: string }>('things');
  const ids = ['a', 'b/1', 'b/2', 'c', 'd', 'z', 'é']; // key order (UTF-8 bytes; the same as paginate's here)
  store.withTx(() => {
    for (const id of ids) things.putTx(`p/${id}`, { id });
    things.putTx('pa', { id: 'outside' }); // shares the prefix's first byte, not the prefix
    things.putTx('q/a', { id: 'other' });
  });
  const invalid = () => new Error('bad token');
  const walk = (limit: number) => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
      const p = pageFrom(
        (after, n) => things.pageWithPrefix('p/', after, n),
        (t) => t.id,
        limit,
        token,
        invalid,
      );
      const whole = paginate(things.withPrefix('p/'), (t) => t.id, limit, token, invalid);
      assert.deepEqual(p, whole, 'the same page and token as paginating the whole list');
      seen.push(...p.items.map((t) => t.id));
      if (!p.nextToken) return seen;
      token = p.nextToken;
    }
    throw new Error('the walk did not end');
  };
  for (const limit of [1, 2, 3, 7, 100]) assert.deepEqual(walk(limit), ids);
  assert.deepEqual(
    pageFrom(
      (after, n) => things.pageWithPrefix('p/', after, n),
      (t) => t.id,
      undefined,
      undefined,
      invalid,
    ).items.map((t) => t.id),
    ids,
    'no limit: one page',
  );
  assert.throws(
    () =>
      pageFrom(
        (after, n) => things.pageWithPrefix('p/', after, n),
        (t) => t.id,
        2,
        'not-a-token',
        invalid,
      ),
    /bad token/,
  );
});

test('a background write commits, publishes and is read back like any other, with no barrier of its own; an acknowledged write runs one before withTx returns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-store-bg-'));
  try {
    const store = Store.open(dir, migrations, silentLogger);
    const things = store.table<{ n: number }>('things');
    const seen: string[] = [];
    store.subscribe((c) => seen.push(...c.map((x) => x.key)));
    store.withTx(() => things.putTx('bg', { n: 1 }), 'background');
    assert.equal(store.barrier?.barriers, 0, 'no fsync for a background write');
    assert.throws(() => store.withTx(() => (things.putTx('bg2', { n: 2 }), assert.fail('boom')), 'background'));
    store.withTx(() => things.putTx('ack', { n: 3 }));
    assert.equal(store.barrier?.barriers, 1, 'one fsync, before withTx returned');
    assert.equal(store.durable(), undefined, 'nothing left to wait for');
    assert.deepEqual(seen, ['bg', 'ack']);
    store.close();
    const reopened = Store.open(dir, migrations, silentLogger);
    assert.deepEqual(reopened.table<{ n: number }>('things').get('bg'), { n: 1 });
    assert.equal(reopened.table('things').get('bg2'), undefined);
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('group commit: writes inside deferSync share one barrier, awaited through durable(); a rolled back one leaves nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-store-group-'));
  try {
    const store = Store.open(dir, migrations, silentLogger);
    const things = store.table<{ n: number }>('things');
    const waits: Array<Promise<void> | undefined> = [];
    for (let i = 0; i < 10; i++) {
      store.deferSync(() => store.withTx(() => things.putTx(`k${i}`, { n: i })));
      waits.push(store.durable());
    }
    assert.throws(() => store.deferSync(() => store.withTx(() => (things.putTx('bad', { n: -1 }), assert.fail('invalid')))));
    assert.equal(store.barrier?.barriers, 0, 'no fsync yet: the barrier runs after this turn');
    assert.ok(waits.every((w) => w instanceof Promise));
    assert.deepEqual(things.get('k3'), { n: 3 }, 'read your writes before the barrier');
    await Promise.all(waits);
    assert.equal(store.barrier?.barriers, 1, 'ten writes, one fsync');
    assert.equal(store.durable(), undefined);
    assert.equal(things.get('bad'), undefined);
    // A write outside deferSync (an engine's, an async handler's later step) is synced at once.
    store.withTx(() => things.putTx('later', { n: 11 }));
    assert.equal(store.barrier?.barriers, 2);
    // A deferred write nobody awaits yet (a handler still busy) is synced all the same (bounded wait).
    store.deferSync(() => store.withTx(() => things.putTx('alone', { n: 12 })));
    for (let i = 0; i < 400 && store.barrier?.barriers === 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(store.barrier?.barriers, 3);
    assert.equal(store.durable(), undefined);
    store.close();
    const reopened = Store.open(dir, migrations, silentLogger);
    assert.equal(reopened.table('things').withPrefix('k').length, 10);
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an in-memory store has no barrier and never makes a caller wait', () => {
  const store = Store.open(':memory:', migrations, silentLogger);
  store.deferSync(() => store.withTx(() => store.table('things').putTx('a', { n: 1 })));
  assert.equal(store.barrier, undefined);
  assert.equal(store.durable(), undefined);
  store.close();
});
