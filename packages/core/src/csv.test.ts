import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCell, csvText } from './csv.js';

describe('csv', () => {
  it('quotes what needs it and defuses formulas; numbers stay numbers', () => {
    assert.equal(csvCell('say "hi", ok'), '"say ""hi"", ok"');
    assert.equal(csvCell('a\nb'), '"a\nb"');
    assert.equal(csvCell('=cmd()'), "'=cmd()");
    assert.equal(csvCell('-1.5'), "'-1.5");
    assert.equal(csvCell(-1.5), '-1.5');
    assert.equal(csvCell(1e-7), '1e-7');
    assert.equal(csvCell(Number.NaN), '');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(true), 'true');
  });
  it('writes a header and rows with CRLF line ends', () => {
    assert.equal(
      csvText(
        ['a', 'b'],
        [
          [1, 'x'],
          [null, 'y,z'],
        ],
      ),
      'a,b\r\n1,x\r\n,"y,z"\r\n',
    );
  });
});
