/**
 * A self-signed X.509 certificate for the fake's webhook signatures. Node 20 can parse
 * certificates (`crypto.X509Certificate`) but not make them, so this writes the DER by hand:
 * an RSA key from `generateKeyPairSync`, a v3 TBSCertificate with the validity the caller picks
 * (tests make expired ones), signed sha256WithRSAEncryption. Keys live only in memory.
 */
import { createSign, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from "node:crypto";

/** Options of {@link createSelfSignedCertificate}. */
export interface SelfSignedCertificateOptions {
  /** Subject and issuer common name; default `pcnotifications.fake.test`. */
  commonName?: string;
  /** Subject and issuer organization; default `Microsoft Corporation` (what receivers may check). */
  organization?: string;
  /** Start of validity; default one day before now. */
  notBefore?: Date;
  /** End of validity; default one year after now. */
  notAfter?: Date;
  /** RSA modulus length; default 2048. */
  modulusLength?: number;
}

/** A certificate and the key that signs with it. */
export interface SelfSignedCertificate {
  /** DER bytes (what a `.cer` download usually holds). */
  der: Buffer;
  /** PEM text of the same certificate. */
  pem: string;
  privateKey: KeyObject;
  certificate: X509Certificate;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const nullValue = () => Buffer.from([0x05, 0x00]);

function integer(bytes: Buffer): Buffer {
  // A leading 1 bit would make the INTEGER negative.
  const positive = (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  return tlv(0x02, positive);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const [first = 0, second = 0, ...rest] = parts;
  const bytes = [first * 40 + second];
  for (const part of rest) {
    const chunk: number[] = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, "");
  const year = date.getUTCFullYear();
  // RFC 5280: UTCTime for 1950–2049, GeneralizedTime otherwise.
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${digits}Z`));
}

function name(commonName: string, organization: string): Buffer {
  const attribute = (type: string, value: string) => set(sequence(oid(type), tlv(0x0c, Buffer.from(value, "utf8"))));
  return sequence(attribute("2.5.4.10", organization), attribute("2.5.4.3", commonName));
}

const SHA256_WITH_RSA = () => sequence(oid("1.2.840.113549.1.1.11"), nullValue());

/** Makes a self-signed RSA certificate with the validity asked for. */
export function createSelfSignedCertificate(options: SelfSignedCertificateOptions = {}): SelfSignedCertificate {
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - 86_400_000);
  const notAfter = options.notAfter ?? new Date(now + 365 * 86_400_000);
  const subject = name(options.commonName ?? "pcnotifications.fake.test", options.organization ?? "Microsoft Corporation");
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: options.modulusLength ?? 2048 });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const serial = randomBytes(16);
  // DER wants a minimal positive INTEGER: a first byte of 1..127 needs no padding and is never redundant.
  serial[0] = 1 + ((serial[0] ?? 0) % 127);
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // [0] EXPLICIT version v3
    integer(serial),
    SHA256_WITH_RSA(),
    subject,
    sequence(time(notBefore), time(notAfter)),
    subject,
    spki,
  );
  const signature = createSign("sha256").update(tbs).sign(privateKey);
  const der = sequence(tbs, SHA256_WITH_RSA(), tlv(0x03, Buffer.from([0]), signature));
  const base64 = der.toString("base64").replace(/.{1,64}/g, "$&\n");
  const pem = `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`;
  return { der, pem, privateKey, certificate: new X509Certificate(der) };
}
