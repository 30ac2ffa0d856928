/* The guardians' access report verifier, in the family's browser.

   A port of events/ledger/report_check.py (and the parts of access_chain.py
   and checkpoints.py it uses): the same verdict codes, in the same order, with
   the same texts. Nothing leaves the browser: no network calls, WebCrypto only
   (SHA-256 and Ed25519). Where Python's rules are subtle (base64 with
   validate=True, str.strip, repr, json.loads), they are written out here so
   both verifiers reach the same verdict on the same file; tests/e2e/
   test_verify_js.py holds them to that. */
(function (global) {
  "use strict";

  const REPORT_FORMAT = "bekymring-innsyn-v1";
  const ENTRY_FORMAT = "bekymring-access-v1";
  const MAP_LINE = "bekymring-children";
  const SIGNED_LINE = "bekymring-signed";
  const ENTRY_FIELDS = ["id", "at", "user", "role", "unit", "action", "records", "basis", "basis_ref"];
  const HASH_SIZE = 32;
  const CHAIN_START = new Uint8Array(HASH_SIZE);
  const EM_DASH_PREFIX = "\u2014 ";
  const MAX_SIGNATURES = 64;
  const MAX_NOTE_CHARS = 1 << 20;
  const U64_LIMIT = 1n << 64n;
  const SIGNED_RE = /^[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z$/;
  const SIZE_RE = /^(0|[1-9][0-9]*)$/;
  const CONTROL_RE = /[\x00-\x09\x0b-\x1f]/;
  // Python's str.isspace() (and so str.strip()): not quite JavaScript's \s.
  const PY_SPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" +
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

  const MESSAGES = {
    nb: {
      complete: "Fullstendig: alle {count} innsyn i barnets opplysninger fram til sjekkpunkt {size}, " +
        "signert {signed_at}, står i rapporten, og ingen er endret.",
      format: "Fila er ikke en innsynsrapport fra Bekymring: {detail}.",
      key: "Nøkkelen er ikke gyldig: {detail}.",
      signature: "Sjekkpunktet er ikke signert med kommunens nøkkel.",
      no_map: "Sjekkpunktet forplikter seg ikke til barnas innsynskjeder.",
      map: "Barnets kjede står ikke i sjekkpunktets kart: rapporten hører ikke til dette sjekkpunktet.",
      altered: "Linje {line} er endret: innholdet gir ikke lenken som er signert.",
      removed: "Det mangler et innsyn før linje {line}: linjen følger ikke linjen før.",
      not_covered: "Linje {line} og de etter den er ikke dekket av sjekkpunkt {size}: " +
        "de er gjort etter det, eller står ikke i loggen.",
      incomplete: "Rapporten er ikke fullstendig: {missing} innsyn fram til sjekkpunkt {size} mangler på slutten.",
      head: "Linjene ender ikke i kjeden som sjekkpunkt {size} signerte.",
    },
    en: {
      complete: "Complete: all {count} accesses to the child's data up to checkpoint {size}, " +
        "signed at {signed_at}, are in the report, and none is altered.",
      format: "The file is not an access report from Bekymring: {detail}.",
      key: "The key is not valid: {detail}.",
      signature: "The checkpoint is not signed with the municipality's key.",
      no_map: "The checkpoint does not commit to the children's access chains.",
      map: "The child's chain is not in the checkpoint's map: the report does not belong to this checkpoint.",
      altered: "Line {line} is altered: its content does not give the link that was signed.",
      removed: "An access is missing before line {line}: the line does not follow the line before it.",
      not_covered: "Line {line} and those after it are not covered by checkpoint {size}: " +
        "they were made after it, or are not in the log.",
      incomplete: "The report is not complete: {missing} accesses up to checkpoint {size} are missing at the end.",
      head: "The lines do not end in the chain checkpoint {size} signed.",
    },
  };

  class Verdict {
    constructor(code, params) {
      this.code = code;
      this.params = params || {};
    }
    get ok() {
      return this.code === "complete";
    }
    text(lang) {
      const messages = MESSAGES[lang] || MESSAGES.nb;
      return messages[this.code].replace(/\{(\w+)\}/g, (_, name) => String(this.params[name]));
    }
  }

  class Bad extends Error {
    constructor(code, params) {
      super(code);
      this.verdict = new Verdict(code, params);
    }
  }

  class PyValueError extends Error {}

  // ------------------------------------------------------------------------
  // JSON as Python's json.loads reads it: a number is an int (BigInt) only if
  // written without a fraction or exponent, otherwise a float.
  // ------------------------------------------------------------------------

  class PyNumber {
    constructor(int) {
      this.int = int; // a BigInt, or null for a float
    }
  }

  function parseJson(text) {
    return JSON.parse(text, function (key, value, context) {
      if (typeof value !== "number") return value;
      const source = context && typeof context.source === "string" ? context.source : null;
      if (source === null) return new PyNumber(Number.isSafeInteger(value) ? BigInt(value) : null);
      return new PyNumber(/^-?[0-9]+$/.test(source) ? BigInt(source) : null);
    });
  }

  /** The report from the file's bytes, or a "format" verdict (as the CLI reads it). */
  function readReport(bytes) {
    let text;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      return parseJson(text);
    } catch (e) {
      throw new Bad("format", { detail: "the file is not JSON" });
    }
  }

  function isDict(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof PyNumber);
  }

  function get(obj, name) {
    return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : null;
  }

  function isInt(v) {
    return v instanceof PyNumber && v.int !== null;
  }

  // ------------------------------------------------------------------------
  // Python's string helpers, as used in the messages
  // ------------------------------------------------------------------------

  function pyStrip(s) {
    let a = 0;
    let b = s.length;
    while (a < b && PY_SPACE.includes(s[a])) a++;
    while (b > a && PY_SPACE.includes(s[b - 1])) b--;
    return s.slice(a, b);
  }

  function pyRepr(s) {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    let out = quote;
    for (const ch of s) {
      const cp = ch.codePointAt(0);
      if (ch === quote || ch === "\\") out += "\\" + ch;
      else if (ch === "\t") out += "\\t";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch !== " " && /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u.test(ch)) {
        if (cp < 0x100) out += "\\x" + cp.toString(16).padStart(2, "0");
        else if (cp < 0x10000) out += "\\u" + cp.toString(16).padStart(4, "0");
        else out += "\\U" + cp.toString(16).padStart(8, "0");
      } else out += ch;
    }
    return out + quote;
  }

  function codePoints(s) {
    if (s.length <= MAX_NOTE_CHARS) return s.length; // an upper bound is enough below the limit
    let n = 0;
    for (const _ of s) n++; // eslint-disable-line no-unused-vars
    return n;
  }

  // Python's UTF-8 encoding refuses lone surrogates; TextEncoder would replace them.
  function utf8(s) {
    if (!s.isWellFormed()) throw new PyValueError("not UTF-8 text");
    return new TextEncoder().encode(s);
  }

  // ------------------------------------------------------------------------
  // Bytes
  // ------------------------------------------------------------------------

  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  /** base64.b64decode(s, validate=True): padding required, no other characters. */
  function b64decode(s) {
    if (typeof s !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
      throw new PyValueError("not base64");
    }
    const data = s.replace(/=+$/, "");
    const out = new Uint8Array(Math.floor((data.length * 6) / 8));
    let bits = 0;
    let acc = 0;
    let j = 0;
    for (const ch of data) {
      acc = (acc << 6) | B64.indexOf(ch);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[j++] = (acc >> bits) & 0xff;
      }
    }
    return out;
  }

  function b64encode(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      s += i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=";
      s += i + 2 < bytes.length ? B64[n & 63] : "=";
    }
    return s;
  }

  /** bytes.fromhex: pairs of hex digits, ASCII whitespace allowed between pairs. */
  function fromhex(s) {
    const out = [];
    let i = 0;
    while (i < s.length) {
      if (" \t\n\v\f\r".includes(s[i])) {
        i++;
        continue;
      }
      const pair = s.slice(i, i + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw new PyValueError("not hex");
      out.push(parseInt(pair, 16));
      i += 2;
    }
    return new Uint8Array(out);
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let i = 0;
    for (const p of parts) {
      out.set(p, i);
      i += p.length;
    }
    return out;
  }

  function equal(a, b) {
    if (!a || !b || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  async function sha256(...parts) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
  }

  const EMPTY_ROOT_PROMISE = () => sha256(new Uint8Array(0));

  function nodeHash(left, right) {
    return sha256(Uint8Array.of(1), left, right);
  }

  /** access_chain.unb64: the base64 of exactly 32 bytes. */
  function unb64(text, what) {
    let raw;
    try {
      raw = b64decode(text);
    } catch (e) {
      raw = null;
    }
    if (raw === null || raw.length !== HASH_SIZE) {
      throw new PyValueError(`${what} is not the base64 of ${HASH_SIZE} bytes`);
    }
    return raw;
  }

  // ------------------------------------------------------------------------
  // Signed notes and verifier keys (events/ledger/checkpoints.py)
  // ------------------------------------------------------------------------

  class CheckpointError extends Error {}

  function checkKeyName(name) {
    if (typeof name !== "string" || !name) throw new CheckpointError("key name must be a non-empty str");
    if (name.includes("+") || [...name].some((c) => PY_SPACE.includes(c)) || CONTROL_RE.test(name)) {
      throw new CheckpointError(`key name ${pyRepr(name)} must not contain spaces, '+' or controls`);
    }
  }

  /** SHA-256(name || 0x0A || 0x01 || public key)[:4] */
  async function keyId(name, publicKey) {
    checkKeyName(name);
    let encoded;
    try {
      encoded = utf8(name);
    } catch (e) {
      throw new CheckpointError("key name is not UTF-8 text");
    }
    return (await sha256(encoded, Uint8Array.of(0x0a, 0x01), publicKey)).slice(0, 4);
  }

  async function parseVerifierKey(vkey) {
    const stripped = pyStrip(String(vkey));
    // Python's split("+", 2): at most three parts, the base64 may hold "+".
    const first = stripped.indexOf("+");
    const second = first < 0 ? -1 : stripped.indexOf("+", first + 1);
    if (second < 0) throw new CheckpointError("verifier key must be name+keyid+key");
    const name = stripped.slice(0, first);
    const kidHex = stripped.slice(first + 1, second);
    const b64 = stripped.slice(second + 1);
    let raw;
    let kid;
    try {
      raw = b64decode(b64);
      kid = fromhex(kidHex);
    } catch (e) {
      throw new CheckpointError("verifier key is not hex/base64");
    }
    if (raw.length !== 33 || raw[0] !== 0x01) throw new CheckpointError("verifier key is not an Ed25519 key");
    const publicKey = raw.slice(1);
    if (!equal(await keyId(name, publicKey), kid)) {
      throw new CheckpointError("verifier key's key ID does not match its name and key");
    }
    let key;
    try {
      key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      throw new CheckpointError("verifier key is not an Ed25519 key");
    }
    return { name, publicKey, key };
  }

  /** [text, [[key name, key id || signature], ...]] of a signed note. */
  function splitNote(note) {
    if (typeof note !== "string") throw new CheckpointError("a note is text");
    if (codePoints(note) > MAX_NOTE_CHARS) throw new CheckpointError("note is too large");
    if (CONTROL_RE.test(note)) throw new CheckpointError("note contains control characters");
    if (!note.isWellFormed()) throw new CheckpointError("note is not UTF-8 text");
    if (!note.endsWith("\n")) throw new CheckpointError("note does not end in a newline");
    const cut = note.lastIndexOf("\n\n");
    if (cut < 0) throw new CheckpointError("note has no blank line before its signatures");
    const text = note.slice(0, cut + 1);
    const block = note.slice(cut + 2);
    const lines = block ? block.slice(0, -1).split("\n") : [];
    if (!lines.length) throw new CheckpointError("note has no signatures");
    if (lines.length > MAX_SIGNATURES) throw new CheckpointError("note has too many signatures");
    const signatures = [];
    for (const line of lines) {
      if (!line.startsWith(EM_DASH_PREFIX)) throw new CheckpointError(`malformed signature line ${pyRepr(line)}`);
      const rest = line.slice(EM_DASH_PREFIX.length);
      const space = rest.indexOf(" ");
      const name = space < 0 ? rest : rest.slice(0, space);
      const b64 = space < 0 ? "" : rest.slice(space + 1);
      if (space < 0 || !name || b64.includes(" ")) {
        throw new CheckpointError(`malformed signature line ${pyRepr(line)}`);
      }
      let raw;
      try {
        raw = b64decode(b64);
      } catch (e) {
        throw new CheckpointError(`signature by ${name} is not base64`);
      }
      if (raw.length < 5) throw new CheckpointError(`signature by ${name} is too short`);
      signatures.push([name, raw]);
    }
    return [text, signatures];
  }

  function parseCheckpoint(note) {
    const [text, signatures] = splitNote(note);
    const lines = text.slice(0, -1).split("\n");
    if (lines.length < 3 || lines.some((line) => !line)) {
      throw new CheckpointError("checkpoint text needs origin, size and root, none empty");
    }
    const [origin, sizeLine, rootLine] = lines;
    if (!SIZE_RE.test(sizeLine)) throw new CheckpointError(`checkpoint size ${pyRepr(sizeLine)} is not a decimal number`);
    let root;
    try {
      root = b64decode(rootLine);
    } catch (e) {
      throw new CheckpointError("checkpoint root is not base64");
    }
    if (root.length !== HASH_SIZE || b64encode(root) !== rootLine) {
      throw new CheckpointError("checkpoint root is not the base64 of a SHA-256 hash");
    }
    return { origin, size: sizeLine, root, text, signatures };
  }

  /** True if a signature by this key verifies; false if none does or one fails. */
  async function checkpointSigned(cp, verifier) {
    const kid = await keyId(verifier.name, verifier.publicKey);
    const text = utf8(cp.text);
    let found = false;
    for (const [name, raw] of cp.signatures) {
      if (name !== verifier.name || !equal(raw.slice(0, 4), kid)) continue;
      found = true;
      let good = false;
      try {
        good = await crypto.subtle.verify({ name: "Ed25519" }, verifier.key, raw.slice(4), text);
      } catch (e) {
        good = false;
      }
      if (!good) return false;
    }
    return found;
  }

  // ------------------------------------------------------------------------
  // Entries, chains and the children's map (events/ledger/access_chain.py)
  // ------------------------------------------------------------------------

  function entryBytes(entry) {
    const lines = [ENTRY_FORMAT];
    for (const name of ENTRY_FIELDS) {
      let value = get(entry, name);
      if (name === "records") {
        const kinds = (value || []).map(String);
        if (kinds.some((k) => k.includes(","))) throw new PyValueError("a record kind holds a comma");
        value = kinds.join(",");
      }
      value = value === null || value === undefined ? "" : String(value);
      if (value.includes("\n") || value.includes("\r")) throw new PyValueError(`entry field ${name} holds a line break`);
      lines.push(value);
    }
    return utf8(lines.join("\n") + "\n");
  }

  async function nextLink(previous, leaf, entry) {
    const bytes = entryBytes(entry);
    return sha256(Uint8Array.of(0x03), previous, leaf, await sha256(bytes));
  }

  function u64(n) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(n));
    return out;
  }

  function mapLeafHash(key, count, head) {
    return sha256(Uint8Array.of(0x00, 0x02), key, u64(count), head);
  }

  /** RFC 9162 §2.1.3.2: the root the proof leads to, or null if it does not fit a tree of `size`. */
  async function rootFromInclusion(index, size, leafHash, proof) {
    index = BigInt(index);
    size = BigInt(size);
    if (!(index >= 0n && index < size)) return null;
    let fn = index;
    let sn = size - 1n;
    let r = leafHash;
    for (const p of proof) {
      if (sn === 0n) return null;
      if (fn & 1n || fn === sn) {
        r = await nodeHash(p, r);
        while (!(fn & 1n) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    return sn === 0n ? r : null;
  }

  /** {size, root, signedAt} the checkpoint's text commits to, or null. */
  function mapCommitment(text) {
    const lines = text.replace(/\n+$/, "").split("\n").slice(3);
    const found = {};
    for (const line of lines) {
      const space = line.indexOf(" ");
      const name = space < 0 ? line : line.slice(0, space);
      const rest = space < 0 ? "" : line.slice(space + 1);
      if ((name === MAP_LINE || name === SIGNED_LINE) && !(name in found)) found[name] = rest;
    }
    if (!(MAP_LINE in found) || !(SIGNED_LINE in found)) return null;
    const space = found[MAP_LINE].indexOf(" ");
    const size = space < 0 ? found[MAP_LINE] : found[MAP_LINE].slice(0, space);
    const root = space < 0 ? "" : found[MAP_LINE].slice(space + 1);
    if (!/^[0-9]+$/.test(size) || !SIGNED_RE.test(found[SIGNED_LINE])) return null;
    try {
      return { size: BigInt(size), root: unb64(root, "map root"), signedAt: found[SIGNED_LINE] };
    } catch (e) {
      return null;
    }
  }

  // ------------------------------------------------------------------------
  // The verdict (events/ledger/report_check.py, step by step)
  // ------------------------------------------------------------------------

  function hashField(value, what) {
    if (typeof value !== "string") throw new Bad("format", { detail: `${what} is missing` });
    try {
      return unb64(value, what);
    } catch (e) {
      throw new Bad("format", { detail: e.message });
    }
  }

  async function verify(report, verifierKey) {
    if (!isDict(report) || get(report, "format") !== REPORT_FORMAT) {
      throw new Bad("format", { detail: `format is not ${REPORT_FORMAT}` });
    }
    let verifier;
    try {
      verifier = await parseVerifierKey(verifierKey);
    } catch (e) {
      if (e instanceof CheckpointError) throw new Bad("key", { detail: e.message });
      throw e;
    }
    let cp;
    try {
      cp = parseCheckpoint(get(report, "checkpoint"));
    } catch (e) {
      if (e instanceof CheckpointError) throw new Bad("format", { detail: `the checkpoint ${e.message}` });
      throw e;
    }
    if (!(await checkpointSigned(cp, verifier))) throw new Bad("signature");
    const commitment = mapCommitment(cp.text);
    if (commitment === null) throw new Bad("no_map");
    const size = cp.size;

    const chainMap = get(report, "map");
    const accesses = get(report, "accesses");
    if (!isDict(chainMap) || !Array.isArray(accesses)) throw new Bad("format", { detail: "map or accesses is missing" });
    const index = get(chainMap, "index");
    const countNumber = get(chainMap, "count");
    const proof = get(chainMap, "proof");
    if (![index, countNumber].every((v) => isInt(v) && v.int >= 0n) || !Array.isArray(proof)) {
      throw new Bad("format", { detail: "the map's index, count or proof is missing" });
    }
    const count = countNumber.int;
    if (count >= U64_LIMIT) throw new Bad("format", { detail: "the map's count is too large" });
    const head = hashField(get(chainMap, "head"), "head");
    const childKey = hashField(get(report, "child_key"), "child_key");
    const path = proof.map((p) => hashField(p, "proof"));
    const root = await rootFromInclusion(index.int, commitment.size, await mapLeafHash(childKey, count, head), path);
    if (!equal(root, commitment.root)) throw new Bad("map");

    let link = CHAIN_START;
    let n = 0;
    for (const access of accesses) {
      n += 1;
      if (!isDict(access) || !isDict(get(access, "entry"))) throw new Bad("format", { detail: `line ${n} has no entry` });
      const entry = get(access, "entry");
      const records = get(entry, "records");
      if (ENTRY_FIELDS.some((f) => f !== "records" && !(typeof get(entry, f) === "string" || get(entry, f) === null)) ||
          !Array.isArray(records) || !records.every((r) => typeof r === "string")) {
        throw new Bad("format", { detail: `line ${n}'s entry is malformed` });
      }
      const previous = hashField(get(access, "previous"), "previous");
      const stated = hashField(get(access, "link"), "link");
      let computed;
      try {
        computed = await nextLink(previous, hashField(get(access, "leaf"), "leaf"), entry);
      } catch (e) {
        if (e instanceof PyValueError) throw new Bad("altered", { line: n });
        throw e;
      }
      if (!equal(computed, stated)) throw new Bad("altered", { line: n });
      if (!equal(previous, link)) throw new Bad("removed", { line: n });
      link = stated;
      if (BigInt(n) === count) {
        if (!equal(link, head)) throw new Bad("head", { size });
        if (n < accesses.length) throw new Bad("not_covered", { line: n + 1, size });
      }
    }
    if (BigInt(accesses.length) < count || !equal(link, head)) {
      const missing = count - BigInt(accesses.length);
      throw new Bad("incomplete", { missing: missing > 1n ? missing : 1n, size });
    }
    return new Verdict("complete", { count, size, signed_at: commitment.signedAt });
  }

  /** The verdict on a parsed report (from readReport) and a verifier key string. */
  async function verifyReport(report, verifierKey) {
    try {
      return await verify(report, verifierKey);
    } catch (e) {
      if (e instanceof Bad) return e.verdict;
      throw e;
    }
  }

  /** The verdict on a file's bytes, as `intranet audit verify-report` reaches it. */
  async function verifyReportBytes(bytes, verifierKey) {
    let report;
    try {
      report = readReport(bytes);
    } catch (e) {
      if (e instanceof Bad) return e.verdict;
      throw e;
    }
    return verifyReport(report, verifierKey);
  }

  global.BekymringVerify = {
    REPORT_FORMAT, MESSAGES, Verdict, PyNumber, parseJson, readReport, verifyReport, verifyReportBytes,
    b64decode, b64encode, fromhex, pyStrip, pyRepr, entryBytes, nextLink, mapLeafHash, rootFromInclusion,
    mapCommitment, parseCheckpoint, parseVerifierKey, keyId, EMPTY_ROOT_PROMISE,
  };
})(typeof window !== "undefined" ? window : globalThis);

/* The page (index.html): pick or drop the file, paste the key, read the verdict. */
(function () {
  "use strict";
  if (typeof document === "undefined") return;

  const UI = {
    nb: {
      page_title: "Sjekk en innsynsrapport – Bekymring",
      language: "English",
      title: "Sjekk en innsynsrapport",
      intro: "Her sjekker du at innsynsrapporten du har fått fra kommunen viser alle innsyn i barnets " +
        "opplysninger, og at ingen er endret. Sjekken skjer bare i nettleseren din: fila sendes ikke noe sted.",
      file_label: "Rapportfila (JSON)",
      drop_hint: "Du kan også slippe fila her.",
      key_label: "Kommunens nøkkel",
      key_hint: "Lim inn nøkkelen fra kommunens side «Slik sjekker du innsynsrapporten» (/om/logg). " +
        "Står feltet tomt, brukes nøkkelen som står i fila.",
      check: "Sjekk rapporten",
      no_file: "Velg eller slipp rapportfila først.",
      key_from_file: "Rapporten er sjekket mot nøkkelen som står i fila: {key}. " +
        "Sammenlign den med nøkkelen på kommunens side /om/logg. Er de ulike, kan du ikke stole på svaret.",
      table_title: "Innsynene i rapporten",
      col_line: "Linje", col_at: "Når", col_name: "Hvem", col_role: "Rolle", col_unit: "Enhet",
      col_action: "Hvordan", col_basis: "Grunnlag", col_records: "Opplysninger",
    },
    en: {
      page_title: "Check an access report – Bekymring",
      language: "Norsk",
      title: "Check an access report",
      intro: "Here you check that the access report you got from the municipality shows every access to the " +
        "child's data, and that none is altered. The check runs only in your browser: the file is sent nowhere.",
      file_label: "The report file (JSON)",
      drop_hint: "You can also drop the file here.",
      key_label: "The municipality's key",
      key_hint: "Paste the key from the municipality's page “How to check the access report” (/om/logg). " +
        "If the field is empty, the key in the file is used.",
      check: "Check the report",
      no_file: "Choose or drop the report file first.",
      key_from_file: "The report was checked against the key in the file: {key}. " +
        "Compare it with the key on the municipality's page /om/logg. If they differ, the answer cannot be trusted.",
      table_title: "The accesses in the report",
      col_line: "Line", col_at: "When", col_name: "Who", col_role: "Role", col_unit: "Unit",
      col_action: "How", col_basis: "Basis", col_records: "Data",
    },
  };

  const V = window.BekymringVerify;
  let lang = "nb";
  let fileBytes = null;
  let last = null; // {report, verdict, keyFromFile}

  function startLanguage() {
    const asked = new URLSearchParams(window.location.search).get("lang");
    // Norwegian unless asked for (the English /om/logg links with ?lang=en), as in the app.
    return asked === "en" ? "en" : "nb";
  }

  function t(name) {
    return UI[lang][name];
  }

  function setLanguage(next) {
    lang = next;
    document.documentElement.lang = lang;
    document.title = t("page_title");
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
    const other = lang === "nb" ? "en" : "nb";
    const button = document.getElementById("language");
    button.textContent = t("language");
    button.lang = other;
    if (last) show(last);
  }

  function readable(value) {
    if (value === null || value === undefined) return "";
    if (Array.isArray(value)) return value.map(readable).join(", ");
    if (value instanceof V.PyNumber) return value.int === null ? "" : value.int.toString();
    if (typeof value === "object") return "";
    return String(value);
  }

  function line(el, text) {
    const p = document.createElement("p");
    p.textContent = text;
    el.appendChild(p);
  }

  function show({ report, verdict, keyFromFile }) {
    const result = document.getElementById("result");
    result.replaceChildren();
    const box = document.createElement("div");
    box.className = "verdict " + (verdict.ok ? "ok" : "bad");
    box.id = "verdict";
    box.dataset.code = verdict.code;
    line(box, (verdict.ok ? "✓ " : "✗ ") + verdict.text(lang));
    if (keyFromFile !== null) line(box, t("key_from_file").replace("{key}", keyFromFile));
    result.appendChild(box);

    const section = document.getElementById("accesses-section");
    const body = document.querySelector("#accesses tbody");
    body.replaceChildren();
    const accesses = report && typeof report === "object" && Array.isArray(report.accesses) ? report.accesses : [];
    section.hidden = accesses.length === 0;
    accesses.forEach((access, i) => {
      const shown = access && typeof access === "object" && access.shown && typeof access.shown === "object"
        ? access.shown : {};
      const row = document.createElement("tr");
      const failed = verdict.params.line !== undefined && verdict.params.line === i + 1;
      if (failed) row.className = "failed";
      const cells = [(failed ? "✗ " : "") + String(i + 1), shown.at, shown.name, shown.role, shown.unit,
        shown.action, shown.basis, shown.records];
      for (const value of cells) {
        const td = document.createElement("td");
        td.textContent = readable(value);
        row.appendChild(td);
      }
      body.appendChild(row);
    });
  }

  async function check() {
    const result = document.getElementById("result");
    if (fileBytes === null) {
      result.replaceChildren();
      line(result, t("no_file"));
      return;
    }
    let report = null;
    try {
      report = V.readReport(fileBytes);
    } catch (e) {
      report = null;
    }
    const pasted = document.getElementById("key").value;
    let key = pasted;
    let keyFromFile = null;
    if (!pasted.trim() && report && typeof report === "object" && typeof report.verifier_key === "string") {
      key = keyFromFile = report.verifier_key;
    }
    const verdict = await V.verifyReportBytes(fileBytes, key);
    last = { report, verdict, keyFromFile };
    show(last);
  }

  async function take(file) {
    if (!file) return;
    fileBytes = new Uint8Array(await file.arrayBuffer());
    await check();
  }

  function start() {
    setLanguage(startLanguage());
    document.getElementById("language").addEventListener("click", () => setLanguage(lang === "nb" ? "en" : "nb"));
    document.getElementById("verify-form").addEventListener("submit", (event) => {
      event.preventDefault();
      check();
    });
    const input = document.getElementById("file");
    input.addEventListener("change", () => take(input.files[0]));
    const drop = document.getElementById("drop");
    // The whole page takes a drop, so a file let go beside the box is not opened by the browser instead.
    document.addEventListener("dragover", (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
    document.addEventListener("dragleave", () => drop.classList.remove("over"));
    document.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("over");
      take(event.dataTransfer.files[0]);
    });
    document.documentElement.dataset.ready = "1";
  }

  if (document.getElementById("verify-form")) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})();
