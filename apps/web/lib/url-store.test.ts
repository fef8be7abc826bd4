import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { patchQuery, pickKeys, type UrlHost, UrlStore } from './url-store.ts';

/** A fake browser: a URL, the writes made to it, and the callbacks waiting for the next paint. */
function fakeHost(query = '', path = '/studies/1') {
  const url = { query, path };
  const writes: string[] = [];
  const queue: Array<() => void> = [];
  const host: UrlHost = {
    query: () => url.query,
    path: () => url.path,
    write: (q) => {
      writes.push(q);
      url.query = q;
    },
    later: (fn) => queue.push(fn),
  };
  const paint = () => {
    for (const fn of queue.splice(0)) fn();
  };
  return { host, url, writes, paint };
}

describe('URL store (controls answer at once, the URL follows after a paint)', () => {
  it('shows a change at once, notifies, and writes the URL only after the paint', () => {
    const { host, url, writes, paint } = fakeHost('tpage=2');
    const store = new UrlStore(host);
    let calls = 0;
    store.subscribe(() => calls++);
    store.set('tpage=2&log=1');
    assert.equal(store.query, 'tpage=2&log=1');
    assert.equal(calls, 1);
    assert.deepEqual(writes, []);
    paint();
    assert.deepEqual(writes, ['tpage=2&log=1']);
    assert.equal(url.query, 'tpage=2&log=1');
  });

  it('folds quick changes into one write and does not notify for an unchanged query', () => {
    const { host, writes, paint } = fakeHost();
    const store = new UrlStore(host);
    let calls = 0;
    store.subscribe(() => calls++);
    store.set('log=1');
    store.set('log=1&tpage=3');
    store.set('log=1&tpage=3');
    paint();
    assert.deepEqual(writes, ['log=1&tpage=3']);
    assert.equal(calls, 2);
  });

  it('ignores a router report of the old URL while a change is unwritten, adopts a navigation after', () => {
    const { host, url, paint } = fakeHost('');
    const store = new UrlStore(host);
    store.set('log=1');
    store.sync(); // the router re-rendered with the URL from before the click
    assert.equal(store.query, 'log=1');
    paint();
    url.query = 'metric=acc'; // a navigation nobody here made
    store.sync();
    assert.equal(store.query, 'metric=acc');
  });

  it('lets back/forward win over an unwritten change', () => {
    const { host, url, writes, paint } = fakeHost('');
    const store = new UrlStore(host);
    store.set('log=1');
    url.query = 'tpage=4';
    store.sync(true);
    assert.equal(store.query, 'tpage=4');
    paint();
    assert.deepEqual(writes, []);
  });

  it('drops a change made on a page the user has left before it was written', () => {
    const { host, url, writes, paint } = fakeHost('log=1');
    const store = new UrlStore(host);
    store.set('');
    url.path = '/teams/t/studies';
    url.query = 'state=all';
    paint();
    assert.deepEqual(writes, []);
    assert.equal(store.query, 'state=all');
  });

  it('unsubscribes', () => {
    const { host } = fakeHost();
    const store = new UrlStore(host);
    let calls = 0;
    const off = store.subscribe(() => calls++);
    off();
    store.set('log=1');
    assert.equal(calls, 0);
  });
});

describe('query helpers', () => {
  it('picks only the keys a component reads, so other keys do not change its snapshot', () => {
    assert.equal(pickKeys('log=1&tpage=2&tq=a+b', ['tpage', 'tq']), 'tpage=2&tq=a+b');
    assert.equal(pickKeys('log=1', ['tpage']), '');
    assert.equal(pickKeys('tpage=2&log=1', ['tpage']), pickKeys('tpage=2&log=', ['tpage']));
  });
  it('patches keys and removes null or empty ones', () => {
    assert.equal(patchQuery('log=1&tpage=2', { log: null, metric: 'acc', tpage: '' }), 'metric=acc');
  });
});
