#!/usr/bin/env node
// Drives a local server with the unmodified npm `gigya` SDK (version pinned in package.json).
//
// Reads one JSON object on stdin and writes one JSON line per call (or per vector) on stdout.
//
// Calls:
//   {"mode": "signed" | "secret", "apiKey", "userKey", "secret", "dataCenter": "us1",
//    "baseUrl": "http://127.0.0.1:PORT", "headers": {...optional, added to every request},
//    "calls": [{"method": "gm.getChallengeStatus", "params": {...}}, ...]}
//   "signed": new Gigya(apiKey, dataCenter, userKey, secret): timestamp, nonce and sig are sent,
//             signed for https://gm.<dataCenter>.gigya.com/<method>.
//   "secret": new Gigya(apiKey, dataCenter, secret): the partner secret is sent as a parameter.
//   Calls run in order, each through gigya.request(method, params), so the SDK's own retries
//   (500001, 504001, 409030: up to 5 attempts, 5 s apart) apply. Per call, one line:
//     {"ok": true, "response": <parsed JSON>, "requests": [<attempt>...]}
//     {"ok": false, "errorCode": <code or null>, "message": "...", "response": <JSON or null>,
//      "requests": [<attempt>...]}
//   where each attempt is what the SDK handed the transport and what went on the wire:
//     {"endpoint", "host", "params", "headers", "body", "status"}.
//
// Vectors:
//   {"mode": "vectors", "vectors": [{"secret", "method", "url", "params"}, ...]}
//   One line per vector, {"ok": true, "sig": "..."}: the SDK's own
//   CredentialsSigner.prototype.createRequestSignature(secret, url, params) with the SDK's
//   default HTTP method (post). `method` is the API method name, informational only.
'use strict';

const http = require('http');
const https = require('https');
const path = require('path');

const gigyaDir = path.dirname(require.resolve('gigya/package.json'));
const fromGigya = (name) => require(require.resolve(name, { paths: [gigyaDir] }));

const { Gigya } = require('gigya');
const { CredentialsSigner } = require('gigya/dist/lib/requestsSigners/CredentialsSigner');
const { SigUtils } = require('gigya/dist/lib/sig-utils');
const defaultHttpRequest = require('gigya/dist/lib/helpers/default-http-request');
// The form encoder of `request`, the library the SDK's default transport posts with.
const { Querystring } = fromGigya('request/lib/querystring');

/** The body exactly as `request.post(uri, {form: params})` encodes it (qs, RFC 3986). */
function encodeForm(params) {
  const qs = new Querystring(null);
  qs.init({});
  return qs.stringify(params).toString('utf8');
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/** A transport for `gigya.httpRequest`: POSTs the signed params to baseUrl + '/' + endpoint. */
function makeTransport(baseUrl, extraHeaders, attempts) {
  const base = new URL(baseUrl);
  const client = base.protocol === 'https:' ? https : http;
  const prefix = base.pathname.replace(/\/+$/, '');
  return (endpoint, host, params, headers) =>
    new Promise((resolve, reject) => {
      const body = encodeForm(params);
      const attempt = { endpoint, host, params: { ...params }, headers: { ...headers }, body };
      attempts.push(attempt);
      const req = client.request(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port || undefined,
          path: prefix + '/' + endpoint,
          method: 'POST',
          agent: false,
          headers: {
            ...extraHeaders,
            ...headers,
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            attempt.status = res.statusCode;
            // Like the SDK's default transport: parse whatever the status, reject non-JSON.
            try {
              resolve(JSON.parse(text));
            } catch (e) {
              const err = new Error(
                `non-JSON response (HTTP ${res.statusCode}) from ${endpoint}: ${text.slice(0, 500)}`,
              );
              err.httpStatus = res.statusCode;
              err.body = text;
              reject(err);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

function buildGigya(config) {
  const dataCenter = config.dataCenter || 'us1';
  const mode = config.mode || 'signed';
  let gigya;
  if (mode === 'signed') {
    gigya = new Gigya(config.apiKey, dataCenter, config.userKey, config.secret);
  } else if (mode === 'secret') {
    gigya = new Gigya(config.apiKey, dataCenter, config.secret);
  } else {
    throw new Error(`unknown mode ${JSON.stringify(mode)} (signed, secret or vectors)`);
  }
  return gigya;
}

async function runCalls(config) {
  if (!config.baseUrl) throw new Error('baseUrl is required');
  const gigya = buildGigya(config);
  for (const call of config.calls || []) {
    const attempts = [];
    // The SDK's transport hook: called after signing with (endpoint, host, params, headers).
    gigya.httpRequest = makeTransport(config.baseUrl, config.headers || {}, attempts);
    try {
      const response = await gigya.request(call.method, { ...(call.params || {}) });
      emit({ ok: true, response, requests: attempts });
    } catch (e) {
      emit({
        ok: false,
        errorCode: e && e.errorCode !== undefined ? e.errorCode : null,
        message: e && e.message !== undefined ? e.message : String(e),
        response: e && e.gigyaResponse !== undefined ? e.gigyaResponse : null,
        requests: attempts,
      });
    }
  }
}

function runVectors(config) {
  const signer = new CredentialsSigner(new SigUtils(), { userKey: 'unused', secret: 'unused' },
    defaultHttpRequest.httpMethod);
  for (const v of config.vectors || []) {
    emit({ ok: true, sig: signer.createRequestSignature(v.secret, v.url, { ...v.params }) });
  }
}

async function main() {
  const config = JSON.parse(await readStdin());
  if (config.mode === 'vectors') runVectors(config);
  else await runCalls(config);
}

main().catch((e) => {
  process.stderr.write(`driver.js: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 2;
});
