import assert from "node:assert/strict";
import fc from "fast-check";
import { useApp } from "../helpers/app";

/**
 * What a client writes is what it reads back, byte for byte, or it is refused with a 400 naming
 * the field: never a 5xx, never a silently altered note. Property-based, against the test
 * database (real PostgreSQL with TEST_DATABASE_URL). The seed is fixed so a failure reproduces;
 * fast-check prints its seed and the shrunk counterexample. FC_SEED explores other seeds.
 */
const SEED = Number(process.env.FC_SEED ?? 20261126);

/** Any UTF-16 code unit, so lone surrogates (and, by chance, valid pairs) appear. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const awkward = fc.constantFrom(
  "\u0000", // NUL: PostgreSQL text cannot hold it
  "\u0001",
  "\t",
  "\r\n",
  "\u007f",
  "\u0085",
  "\u200b",
  "\u2028",
  "\ufeff",
  "\uffff",
  "\ud83d\ude00", // a valid pair (U+1F600)
  "e\u0301", // combining accent
  "\"'\\",
);

const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }), // any code point, controls included
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.string({ unit: fc.oneof(awkward, codeUnit), maxLength: 20 }),
  fc
    .tuple(fc.string({ unit: "grapheme" }), loneSurrogate, fc.string({ unit: "grapheme" }))
    .map(([before, half, after]) => before + half + after),
  // Around the 2000-character limit (counted in code points, like PostgreSQL's char_length).
  fc.string({ unit: "binary", minLength: 1998, maxLength: 2002 }),
);

/** Independent of the service's own check: does the string survive UTF-8 and contain no NUL? */
function storable(s: string): boolean {
  const codePoints = [...s].length;
  return (
    Buffer.from(s, "utf8").toString("utf8") === s &&
    !s.includes("\u0000") &&
    codePoints >= 1 &&
    codePoints <= 2000
  );
}

describe("POST /api/notes with arbitrary Unicode (property-based)", function () {
  this.timeout(120_000);
  const t = useApp();

  it("201 and identical on read (API and database bytes), or 400 naming `text`; nothing else", async () => {
    let stored = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(text, async (value) => {
        const res = await t.app.inject({
          method: "POST",
          url: "/api/notes",
          headers: { "content-type": "application/json" },
          // JSON.stringify writes a lone surrogate as a \udXXX escape, as a client's JSON would.
          payload: JSON.stringify({ text: value }),
        });
        if (!storable(value)) {
          assert.equal(res.statusCode, 400, res.body);
          assert.equal(res.json().error.code, "validation_failed");
          assert.match(res.json().error.message, /^body\/text /);
          refused++;
          return;
        }
        assert.equal(res.statusCode, 201, res.body);
        assert.equal(res.json().text, value);
        const read = await t.app.inject({ url: `/api/notes/${res.json().id}` });
        assert.equal(read.statusCode, 200);
        assert.equal(read.json().text, value);
        const { rows } = await t.app.db.query<{ hex: string }>(
          "SELECT encode(convert_to(text, 'UTF8'), 'hex') AS hex FROM notes WHERE id = $1",
          [res.json().id],
        );
        assert.equal(rows[0].hex, Buffer.from(value, "utf8").toString("hex"));
        stored++;
      }),
      { numRuns: 200, seed: SEED },
    );
    // Both outcomes were exercised, so neither branch passes vacuously.
    assert.ok(stored > 20 && refused > 20, `stored ${stored}, refused ${refused}`);
  });

  it("refuses a body whose bytes are not valid UTF-8 instead of storing U+FFFD", async () => {
    const count = async () =>
      (await t.app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM notes")).rows[0].n;
    const before = await count();
    for (const bytes of [[0xff], [0xed, 0xa0, 0x80] /* a surrogate encoded as CESU-8 */]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/notes",
        headers: { "content-type": "application/json" },
        payload: Buffer.concat([Buffer.from('{"text":"a'), Buffer.from(bytes), Buffer.from('"}')]),
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual(res.json().error.code, "bad_request");
      assert.equal(res.json().error.message, "Body is not valid UTF-8");
    }
    assert.equal(await count(), before, "nothing stored");
  });
});
