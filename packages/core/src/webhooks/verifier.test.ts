import { createSign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSelfSignedCertificate, type SelfSignedCertificate } from "../testing/self-signed-certificate.js";
import { startFakePartnerCenter, type FakePartnerCenter } from "../testing/fake-partner-center.js";
import { FAKE_CERTIFICATE_PATH } from "../testing/fake-webhooks.js";
import { createWebhookVerifier, MICROSOFT_WEBHOOK_CERTIFICATE_HOST } from "./verifier.js";

const CERT_URL = "https://certs.example.test/pc.cer";
const BODY = JSON.stringify({ EventName: "referral-updated", ResourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/r-1", ResourceChangeUtcDate: "2026-12-01T10:00:00.1234567+00:00" });

function sign(body: string, certificate: SelfSignedCertificate): string {
  return createSign("sha256").update(body, "utf8").sign(certificate.privateKey).toString("base64");
}

function signedHeaders(body: string, certificate: SelfSignedCertificate, url = CERT_URL): Record<string, string> {
  return { authorization: `Signature ${sign(body, certificate)}`, "x-ms-certificate-url": url, "x-ms-signature-algorithm": "rsa-sha256" };
}

/** A verifier whose downloads are counted and answered from `certificate`. */
function verifierFor(certificate: () => SelfSignedCertificate, extra: { now?: () => number } = {}) {
  const fetched: string[] = [];
  const verifier = createWebhookVerifier({
    allowedCertificateHosts: ["certs.example.test"],
    fetchCertificate: (url) => {
      fetched.push(url.href);
      return Promise.resolve(certificate().der);
    },
    ...extra,
  });
  return { verifier, fetched };
}

describe("createWebhookVerifier", () => {
  const certificate = createSelfSignedCertificate();

  it("accepts a valid signature (Authorization: Signature …) over the raw body", async () => {
    const { verifier } = verifierFor(() => certificate);
    await expect(verifier.verify(BODY, signedHeaders(BODY, certificate))).resolves.toEqual({ ok: true, certificateUrl: CERT_URL });
  });

  it("accepts the signature in x-ms-signature (SignatureTokenToMsSignatureHeader) and Headers objects", async () => {
    const { verifier } = verifierFor(() => certificate);
    const headers = new Headers({ "x-ms-signature": sign(BODY, certificate), "x-ms-certificate-url": CERT_URL });
    await expect(verifier.verify(Buffer.from(BODY), headers)).resolves.toMatchObject({ ok: true });
  });

  it("refuses a tampered body", async () => {
    const { verifier } = verifierFor(() => certificate);
    const tampered = BODY.replace("r-1", "r-2");
    await expect(verifier.verify(tampered, signedHeaders(BODY, certificate))).resolves.toEqual({ ok: false, reason: "signature_invalid" });
  });

  it("refuses a signature made with another key", async () => {
    const { verifier } = verifierFor(() => certificate);
    const other = createSelfSignedCertificate({ modulusLength: 1024 });
    await expect(verifier.verify(BODY, signedHeaders(BODY, other))).resolves.toEqual({ ok: false, reason: "signature_invalid" });
  });

  it("refuses a certificate URL whose host is not on the allowlist, without fetching it", async () => {
    const { verifier, fetched } = verifierFor(() => certificate);
    const result = await verifier.verify(BODY, signedHeaders(BODY, certificate, "https://attacker.example/pc.cer"));
    expect(result).toEqual({ ok: false, reason: "certificate_host_not_allowed" });
    expect(fetched).toEqual([]);
  });

  it("allows only Microsoft's documented certificate host by default", async () => {
    const verifier = createWebhookVerifier({ fetchCertificate: () => Promise.resolve(certificate.der) });
    await expect(verifier.verify(BODY, signedHeaders(BODY, certificate))).resolves.toEqual({ ok: false, reason: "certificate_host_not_allowed" });
    const documented = `https://${MICROSOFT_WEBHOOK_CERTIFICATE_HOST}/cert/pcnotifications.microsoft.com.cer`;
    await expect(verifier.verify(BODY, signedHeaders(BODY, certificate, documented))).resolves.toMatchObject({ ok: true });
  });

  it("refuses an expired certificate", async () => {
    const expired = createSelfSignedCertificate({ notBefore: new Date("2025-01-01T00:00:00Z"), notAfter: new Date("2026-01-01T00:00:00Z") });
    const { verifier } = verifierFor(() => expired, { now: () => Date.parse("2026-12-01T00:00:00Z") });
    await expect(verifier.verify(BODY, signedHeaders(BODY, expired))).resolves.toEqual({ ok: false, reason: "certificate_expired" });
  });

  it("refuses a certificate that is not valid yet", async () => {
    const future = createSelfSignedCertificate({ notBefore: new Date("2030-01-01T00:00:00Z"), notAfter: new Date("2031-01-01T00:00:00Z") });
    const { verifier } = verifierFor(() => future, { now: () => Date.parse("2026-12-01T00:00:00Z") });
    await expect(verifier.verify(BODY, signedHeaders(BODY, future))).resolves.toEqual({ ok: false, reason: "certificate_not_yet_valid" });
  });

  it("caches a certificate until its notAfter, then fetches it again", async () => {
    let clock = Date.parse("2026-12-01T00:00:00Z");
    let current = createSelfSignedCertificate({ notBefore: new Date("2026-11-01T00:00:00Z"), notAfter: new Date("2026-12-02T00:00:00Z") });
    const { verifier, fetched } = verifierFor(() => current, { now: () => clock });
    await expect(verifier.verify(BODY, signedHeaders(BODY, current))).resolves.toMatchObject({ ok: true });
    await expect(verifier.verify(BODY, signedHeaders(BODY, current))).resolves.toMatchObject({ ok: true });
    expect(fetched).toHaveLength(1);
    // Past notAfter: Microsoft renewed the certificate at the same URL.
    clock = Date.parse("2026-12-03T00:00:00Z");
    current = createSelfSignedCertificate({ notBefore: new Date("2026-12-02T00:00:00Z"), notAfter: new Date("2027-12-02T00:00:00Z") });
    await expect(verifier.verify(BODY, signedHeaders(BODY, current))).resolves.toMatchObject({ ok: true });
    expect(fetched).toHaveLength(2);
  });

  it.each([
    [{}, "signature_missing"],
    [{ authorization: "Bearer abc" }, "signature_missing"],
    [{ authorization: "Signature not*base64" }, "signature_malformed"],
    [{ authorization: "Signature AAAA", "x-ms-signature-algorithm": "rsa-sha1" }, "signature_algorithm_unsupported"],
    [{ authorization: "Signature AAAA" }, "certificate_url_missing"],
    [{ authorization: "Signature AAAA", "x-ms-certificate-url": "not a url" }, "certificate_url_invalid"],
    [{ authorization: "Signature AAAA", "x-ms-certificate-url": "http://certs.example.test/pc.cer" }, "certificate_url_invalid"],
    [{ authorization: "Signature AAAA", "x-ms-certificate-url": "ftp://certs.example.test/pc.cer" }, "certificate_url_invalid"],
  ] as const)("refuses headers %j with %s", async (headers, reason) => {
    const { verifier, fetched } = verifierFor(() => certificate);
    await expect(verifier.verify(BODY, headers)).resolves.toEqual({ ok: false, reason });
    expect(fetched).toEqual([]);
  });

  it("reports a certificate that cannot be fetched or parsed", async () => {
    const failing = createWebhookVerifier({ allowedCertificateHosts: ["certs.example.test"], fetchCertificate: () => Promise.reject(new Error("503")) });
    await expect(failing.verify(BODY, signedHeaders(BODY, certificate))).resolves.toEqual({ ok: false, reason: "certificate_fetch_failed" });
    const garbage = createWebhookVerifier({ allowedCertificateHosts: ["certs.example.test"], fetchCertificate: () => Promise.resolve("not a certificate") });
    await expect(garbage.verify(BODY, signedHeaders(BODY, certificate))).resolves.toEqual({ ok: false, reason: "certificate_invalid" });
  });

  it("rejects bad options with a ConfigError", () => {
    expect(() => createWebhookVerifier({ allowedCertificateHosts: ["https://x/"] })).toThrow(/allowedCertificateHosts/);
  });

  describe("over HTTP from the fake's certificate URL", () => {
    let fake: FakePartnerCenter;
    beforeAll(async () => {
      fake = await startFakePartnerCenter();
    });
    afterAll(() => fake.stop());

    it("downloads the fake's certificate over http from an allowlisted loopback host", async () => {
      const host = new URL(fake.url).host;
      const verifier = createWebhookVerifier({ allowedCertificateHosts: [host] });
      const url = `${fake.url}${FAKE_CERTIFICATE_PATH}`;
      await expect(verifier.verify(BODY, signedHeaders(BODY, fake.webhooks.certificate, url))).resolves.toEqual({ ok: true, certificateUrl: url });
    });

    it("refuses a certificate larger than maxCertificateBytes", async () => {
      const host = new URL(fake.url).host;
      const verifier = createWebhookVerifier({ allowedCertificateHosts: [host], maxCertificateBytes: 256 });
      const url = `${fake.url}${FAKE_CERTIFICATE_PATH}`;
      await expect(verifier.verify(BODY, signedHeaders(BODY, fake.webhooks.certificate, url))).resolves.toEqual({ ok: false, reason: "certificate_fetch_failed" });
    });
  });
});
