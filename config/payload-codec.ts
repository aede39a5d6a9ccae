/**
 * R-SEC-1: every Temporal payload (workflow input, signals, updates, query answers, activity
 * arguments and results, failures' details) is encrypted with AES-256-GCM before it leaves the
 * process, so the Temporal server and its database only ever hold ciphertext.
 *
 * Wire format of an encrypted payload (as in temporalio/samples-typescript `encryption`):
 * metadata `encoding: binary/encrypted` and `encryption-key-id: <id>`; data is
 * `iv (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes)` of the original payload, protobuf-encoded.
 * The key id is bound to the ciphertext as GCM additional data, so relabelling a payload with
 * another key id fails authentication instead of decrypting under the wrong key.
 *
 * Rotation: new payloads use the current (first) key; payloads written under an older key keep
 * decrypting as long as that key is still listed. Drop an old key only once no open workflow's
 * history (nor any history you still need to read) holds payloads under it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** One AES-256 key and the id written beside every payload it encrypts. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

function checkKeys(keys: readonly PayloadKey[]): void {
  if (keys.length === 0) throw new Error('payload keys: at least one key is needed');
  const seen = new Set<string>();
  for (const { id, key } of keys) {
    if (!keyIdPattern.test(id)) throw new Error(`payload keys: key id "${id}" must be 1–64 of A–Z a–z 0–9 . _ -`);
    if (seen.has(id)) throw new Error(`payload keys: key id "${id}" appears twice`);
    seen.add(id);
    if (key.length !== KEY_BYTES) throw new Error(`payload keys: key "${id}" is ${key.length} bytes; AES-256 needs ${KEY_BYTES}`);
  }
}

/** AES-256-GCM payload codec with key ids and rotation (see the module comment). */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly current: PayloadKey;
  private readonly byId: ReadonlyMap<string, Buffer>;

  /** `keys[0]` encrypts; every key listed decrypts. */
  constructor(keys: readonly PayloadKey[]) {
    checkKeys(keys);
    this.current = keys[0]!;
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  /** The id of the key new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      cipher.setAAD(Buffer.from(this.current.id, 'utf8'));
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING, 'utf8'),
          [METADATA_KEY_ID]: Buffer.from(this.current.id, 'utf8'),
        },
        data,
      };
    });
  }

  /** Payloads not marked `binary/encrypted` pass through (history written before encryption was on). */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString('utf8') !== ENCRYPTED_ENCODING) return payload;
      const rawKeyId = payload.metadata?.[METADATA_KEY_ID];
      if (!rawKeyId) throw new Error(`encrypted payload has no ${METADATA_KEY_ID} metadata`);
      const keyId = Buffer.from(rawKeyId).toString('utf8');
      const key = this.byId.get(keyId);
      if (!key) {
        throw new Error(`encrypted payload names key id "${keyId}", which is not among the configured payload keys (${[...this.byId.keys()].join(', ')})`);
      }
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`encrypted payload under key "${keyId}" is too short`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new Error(`encrypted payload under key "${keyId}" failed authentication (tampered, or a different key with the same id)`);
      }
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

/**
 * Parses `PAYLOAD_KEYS`: comma-separated `id:base64key` pairs, the current key first, e.g.
 * `k2:…,k1:…`. Unset or empty → `undefined` (encryption off). Any bad part stops start-up
 * with that part named (never its key material).
 */
export function readPayloadKeys(env: NodeJS.ProcessEnv): PayloadKey[] | undefined {
  const raw = env.PAYLOAD_KEYS?.trim();
  if (!raw) return undefined;
  const keys = raw.split(',').map((part, index): PayloadKey => {
    const entry = part.trim();
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`invalid environment: PAYLOAD_KEYS entry ${index + 1} must be id:base64key`);
    const id = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
      throw new Error(`invalid environment: PAYLOAD_KEYS key "${id}" is not base64`);
    }
    return { id, key: Buffer.from(encoded, 'base64') };
  });
  try {
    checkKeys(keys);
  } catch (err) {
    throw new Error(`invalid environment: PAYLOAD_KEYS ${(err as Error).message.replace(/^payload keys: /, '')}`);
  }
  return keys;
}

/** The codec from `PAYLOAD_KEYS`, or `undefined` when it is unset (payloads in clear). */
export function readPayloadCodec(env: NodeJS.ProcessEnv): AesGcmPayloadCodec | undefined {
  const keys = readPayloadKeys(env);
  return keys ? new AesGcmPayloadCodec(keys) : undefined;
}

/** Where the failure converter that encrypts failure messages lives (`config/failure-converter.ts`). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter for workers and clients: with the codec when there is one (and failure
 * messages and stack traces encoded through it, R-SEC-1), the SDK default otherwise.
 */
export function dataConverterFor(codec: PayloadCodec | undefined): DataConverter | undefined {
  return codec ? { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH } : undefined;
}

/** A fresh `id:base64key` entry for `PAYLOAD_KEYS`. */
export function generatePayloadKeyEntry(id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * `PAYLOAD_KEYS` for a local `npm start`: the contents of `path` (git-ignored `data/`), written
 * once with a fresh key and mode 0600 when missing.
 */
export function localPayloadKeys(path = 'data/payload-keys'): string {
  const file = resolve(path);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    const entry = generatePayloadKeyEntry();
    try {
      writeFileSync(file, `${entry}\n`, { flag: 'wx', mode: 0o600 });
      return entry;
    } catch {
      return readFileSync(file, 'utf8').trim(); // another process wrote it first
    }
  }
}

/** The Web UI codec endpoint's settings: on only when `CODEC_AUTH_TOKEN` is set. */
export interface CodecEndpointSettings {
  authToken?: string;
  corsOrigins: string[];
}

/**
 * `CODEC_AUTH_TOKEN` (at least 16 characters) turns the endpoint on; `CODEC_CORS_ORIGINS`
 * (comma-separated) names the browser origins allowed, the Web UI's own origin by default.
 */
export function readCodecEndpointSettings(env: NodeJS.ProcessEnv, temporalUiUrl: string): CodecEndpointSettings {
  const authToken = env.CODEC_AUTH_TOKEN?.trim();
  if (authToken !== undefined && authToken !== '' && authToken.length < 16) {
    throw new Error('invalid environment: CODEC_AUTH_TOKEN must be at least 16 characters');
  }
  const origins = env.CODEC_CORS_ORIGINS?.trim()
    ? env.CODEC_CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean)
    : [new URL(temporalUiUrl).origin];
  return { ...(authToken ? { authToken } : {}), corsOrigins: origins };
}
