// R-SEC-1: the AES-256-GCM payload codec — round trip, key rotation, unknown key ids, tampering,
// and the PAYLOAD_KEYS parser that configures it.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, METADATA_KEY_ID, readPayloadKeys } from '../../config/payload-codec';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const report = { reporter: '张三', phone: '13912345678', idNumber: '110101199003071234', diagnosis: '胃癌' };

function metadata(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : undefined;
}

test('a payload round-trips, and its encrypted form names the encoding and key id but holds nothing readable', async () => {
  const codec = new AesGcmPayloadCodec([k1]);
  const plain = defaultPayloadConverter.toPayload(report);
  const [encrypted] = await codec.encode([plain]);
  expect(metadata(encrypted!, METADATA_ENCODING_KEY)).toBe(ENCRYPTED_ENCODING);
  expect(metadata(encrypted!, METADATA_KEY_ID)).toBe('k1');
  const bytes = Buffer.from(encrypted!.data!);
  for (const secret of Object.values(report)) {
    expect(bytes.toString('utf8')).not.toContain(secret);
    expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
  }
  const [decoded] = await codec.decode([encrypted!]);
  expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(report);
  // Fresh IV each time: the same value never encrypts to the same bytes.
  const [again] = await codec.encode([plain]);
  expect(Buffer.from(again!.data!).equals(bytes)).toBe(false);
});

test('rotation: data encrypted under k1 still decrypts after k2 becomes current; new data uses k2', async () => {
  const [underK1] = await new AesGcmPayloadCodec([k1]).encode([defaultPayloadConverter.toPayload(report)]);
  const rotated = new AesGcmPayloadCodec([k2, k1]);
  expect(defaultPayloadConverter.fromPayload((await rotated.decode([underK1!]))[0]!)).toEqual(report);
  const [underK2] = await rotated.encode([defaultPayloadConverter.toPayload('after rotation')]);
  expect(metadata(underK2!, METADATA_KEY_ID)).toBe('k2');
  expect(defaultPayloadConverter.fromPayload((await rotated.decode([underK2!]))[0]!)).toBe('after rotation');
});

test('a payload under a key id no longer configured fails, naming the id', async () => {
  const [underK1] = await new AesGcmPayloadCodec([k1]).encode([defaultPayloadConverter.toPayload(report)]);
  await expect(new AesGcmPayloadCodec([k2]).decode([underK1!])).rejects.toThrow(/key id "k1".*not among the configured payload keys \(k2\)/);
});

test('GCM rejects a tampered ciphertext, and a payload relabelled with another key id', async () => {
  const codec = new AesGcmPayloadCodec([k2, k1]);
  const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(report)]);
  const tampered = Buffer.from(encrypted!.data!);
  tampered[20] = tampered[20]! ^ 0x01;
  await expect(codec.decode([{ ...encrypted!, data: tampered }])).rejects.toThrow(/failed authentication/);
  const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, [METADATA_KEY_ID]: Buffer.from('k1') } };
  await expect(codec.decode([relabelled])).rejects.toThrow(/under key "k1" failed authentication/);
});

test('payloads written before encryption was on pass through decode unchanged', async () => {
  const plain = defaultPayloadConverter.toPayload({ status: 'open' });
  expect(await new AesGcmPayloadCodec([k1]).decode([plain])).toEqual([plain]);
});

describe('PAYLOAD_KEYS', () => {
  const b64 = (key: Buffer) => key.toString('base64');

  test('unset or empty means encryption off', () => {
    expect(readPayloadKeys({})).toBeUndefined();
    expect(readPayloadKeys({ PAYLOAD_KEYS: ' ' })).toBeUndefined();
  });

  test('current key first, every key kept for decryption', () => {
    const keys = readPayloadKeys({ PAYLOAD_KEYS: `k2:${b64(k2.key)}, k1:${b64(k1.key)}` });
    expect(keys?.map((key) => key.id)).toEqual(['k2', 'k1']);
    expect(keys?.[0]?.key.equals(k2.key)).toBe(true);
  });

  test.each([
    ['an entry without a key', 'k1', /entry 1 must be id:base64key/],
    ['a 16-byte key', `k1:${b64(randomBytes(16))}`, /key "k1" is 16 bytes; AES-256 needs 32/],
    ['a repeated id', `k1:${b64(k1.key)},k1:${b64(k2.key)}`, /key id "k1" appears twice/],
    ['a key that is not base64', `k1:not*base64`, /key "k1" is not base64/],
    ['an id with a space', `bad id:${b64(k1.key)}`, /key id "bad id" must be/],
  ])('%s is refused, naming the bad part', (_label, value, message) => {
    expect(() => readPayloadKeys({ PAYLOAD_KEYS: value })).toThrow(message);
  });

  test('the error never echoes key material', () => {
    const short = b64(randomBytes(16));
    expect(() => readPayloadKeys({ PAYLOAD_KEYS: `k1:${short}` })).toThrow(expect.objectContaining({ message: expect.not.stringContaining(short) }));
  });
});
