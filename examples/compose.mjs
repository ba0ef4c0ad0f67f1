// Composing the stages yourself: the README's library example, run by the test suite.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hash, mapColumns, meta, normalize, parseCsv, RunStats, validate } from 'audience-etl';

const stats = new RunStats();
const rows = [];
await pipeline(
  Readable.from(['email,phone\n  Mary@Example.COM ,+1 (555) 987-6543\n']),
  parseCsv({ stats }),
  mapColumns(),
  normalize({ preset: meta, defaultCountry: 'US' }),
  hash({ keys: meta }),
  validate({ preset: meta, stats }),
  new Writable({
    objectMode: true,
    write(chunk, _encoding, done) {
      rows.push(...[chunk].flat());
      done();
    },
  }),
);
console.log(rows[0].values.EMAIL); // f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79
console.log(rows[0].values.PHONE); // 1ef970831d7963307784fa8688e8fce101a15685d62aa765fed23f3a2c576a4e
