// Airalo's official Node SDK (npm airalo-sdk) against the sandbox served over HTTPS (`--tls`,
// its certificate trusted through NODE_EXTRA_CA_CERTS), as a new user would use it: every
// public method, the documented error cases, and the SDK's own signature helper on the
// sandbox's webhooks. Run by `cargo xtask sdk-conformance`; the twin of airalo_python.py.
//
//     node airalo_node.js journey <airalo base url> <sandbox origin>
//     node airalo_node.js after-restart <airalo base url>
//
// Prints one line per check, `OK|FAIL|KNOWN|STALE <method> <detail>`; the xtask tallies them.

"use strict";

const http = require("http");
const https = require("https");
const API_CONSTANTS = require("airalo-sdk/src/constants/ApiConstants");
const Signature = require("airalo-sdk/src/helpers/Signature");
const { Airalo } = require("airalo-sdk");

const CLIENT_ID = "sandbox-client-id";
const CLIENT_SECRET = "sandbox-client-secret";

// The SDK's bugs, by method, with why: the sandbox answers these as Airalo does.
const KNOWN_BUGS = {};

const results = [];

async function check(method, body) {
  let ok;
  let note;
  try {
    note = (await body()) || "";
    ok = true;
  } catch (error) {
    ok = false;
    note = `${error.name}: ${error.message}`.slice(0, 300);
  }
  const known = KNOWN_BUGS[method];
  let status = ok ? (known ? "STALE" : "OK") : known ? "KNOWN" : "FAIL";
  if (status === "KNOWN") note = `${note} | SDK bug: ${known}`;
  if (status === "STALE") note = `listed as an SDK bug but passed: ${note}`;
  results.push(status);
  console.log(`${status.padEnd(5)} ${method.padEnd(40)} ${note}`);
}

function expect(condition, why) {
  if (!condition) throw new Error(why);
}

/** The SDK has no URL setting: its production URL is a constant, moved here. */
function pointAt(baseUrl) {
  API_CONSTANTS.BASE_URL.production = baseUrl.replace(/\/$/, "") + "/";
}

/** A partner's webhook endpoint (plain HTTP): HEAD for Airalo's opt-in check, and POST. */
const received = [];
function receiver() {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (req.method === "POST") received.push([req.headers["airalo-signature"], body]);
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      server.unref();
      resolve(`http://127.0.0.1:${server.address().port}/hook`);
    }),
  );
}

async function waitFor(n, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (received.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(received.length >= n, `${n} webhooks expected, ${received.length} came`);
  return received;
}

function skip(origin, seconds) {
  return new Promise((resolve, reject) => {
    const req = https.request(`${origin}/_sandbox/clock/skip`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    req.on("response", (res) => res.resume().on("end", resolve));
    req.on("error", reject);
    req.end(JSON.stringify({ seconds }));
  });
}

async function failsWith(call, ...fragments) {
  let answer;
  try {
    answer = await call();
  } catch (error) {
    const missing = fragments.filter((f) => !error.message.includes(f));
    expect(missing.length === 0, `error ${error.message.slice(0, 200)} lacks ${missing}`);
    return `refused: ${error.message.slice(0, 120)}`;
  }
  throw new Error(`expected an error, got ${JSON.stringify(answer).slice(0, 200)}`);
}

const iccidsOf = (order) => order.data.sims.map((sim) => sim.iccid);

async function journey(baseUrl, origin) {
  pointAt(baseUrl);
  const hook = await receiver();
  const alo = new Airalo({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  const state = {};

  await check("initialize", async () => {
    await alo.initialize();
    expect(alo.token && alo.token.startsWith("airalo."), `token ${alo.token}`);
  });

  // ---------------------------------------------------------------- catalogue
  await check("getAllPackages", async () => {
    const nested = await alo.getAllPackages();
    expect(nested && nested.data.length === 9, "9 destinations (8 countries and world)");
    const flat = await alo.getAllPackages(true);
    const ids = flat.data.map((p) => p.package_id);
    expect(ids.includes("germany-7days-1gb") && ids.some((i) => i.endsWith("-topup")), "packages and top-ups");
    const paged = await alo.getAllPackages(true, 2, 2);
    expect(paged && paged.data.length >= 1, "page 2 of 2 per page");
    return `${ids.length} flat packages; nested, flat and paged`;
  });
  await check("getSimPackages", async () => {
    const flat = await alo.getSimPackages(true);
    expect(flat && !flat.data.some((p) => p.package_id.endsWith("-topup")), "no top-ups");
    return `${flat.data.length} SIM packages`;
  });
  await check("getLocalPackages", async () => {
    const flat = await alo.getLocalPackages(true);
    expect(flat && !flat.data.some((p) => p.package_id.startsWith("world-")), "no global package");
    return `${flat.data.length} local packages`;
  });
  await check("getGlobalPackages", async () => {
    const flat = await alo.getGlobalPackages(true);
    expect(flat && flat.data.every((p) => p.package_id.startsWith("world-")), "global only");
    return `${flat.data.length} global packages`;
  });
  await check("getCountryPackages", async () => {
    const flat = await alo.getCountryPackages("DE", true);
    expect(flat && flat.data.every((p) => JSON.stringify(p.countries) === '["DE"]'), "Germany only");
    return `${flat.data.length} packages for DE`;
  });
  await check("getCompatibleDevices", async () => {
    const devices = await alo.getCompatibleDevices();
    expect(devices && devices.data.length, "a device list");
    return `${devices.data.length} devices`;
  });

  // ---------------------------------------------------------------- orders
  await check("order", async () => {
    const order = await alo.order("germany-7days-1gb", 2, "sdk journey");
    state.iccids = iccidsOf(order);
    expect(state.iccids.length === 2, "two eSIMs");
    await failsWith(() => alo.order("no-such-package-7days-1gb", 1), "422", "package_id");
    await failsWith(() => alo.order("test-insufficient-balance-7days-1gb", 1), "422", '"code":11');
    return `ICCIDs ${state.iccids}; unknown package and insufficient balance refused`;
  });
  await check("orderWithEmailSimShare", async () => {
    const share = { to_email: "traveller@example.com", sharing_option: ["link", "pdf"] };
    const order = await alo.orderWithEmailSimShare("spain-30days-3gb", 1, share);
    expect(iccidsOf(order).length === 1, "one eSIM");
  });
  await check("orderAsync", async () => {
    const accepted = await alo.orderAsync("italy-30days-5gb", 1, hook);
    const requestId = accepted.data.request_id;
    const [signature, body] = (await waitFor(1))[0];
    state.webhook = [signature, body];
    expect(JSON.parse(body).request_id === requestId, "its webhook");
    return `request ${requestId}, its order delivered by webhook`;
  });
  await check("orderBulk", async () => {
    const orders = await alo.orderBulk({ "france-30days-10gb": 1, "japan-7days-1gb": 2 });
    expect(Object.keys(orders).sort().join() === "france-30days-10gb,japan-7days-1gb", `keys ${Object.keys(orders)}`);
    expect(iccidsOf(orders["japan-7days-1gb"]).length === 2, "two Japan eSIMs");
  });
  await check("orderBulkWithEmailSimShare", async () => {
    const share = { to_email: "traveller@example.com", sharing_option: ["link"] };
    const orders = await alo.orderBulkWithEmailSimShare({ "germany-30days-3gb": 1 }, share);
    expect(iccidsOf(orders["germany-30days-3gb"]).length === 1, "one eSIM");
  });
  await check("orderAsyncBulk", async () => {
    const accepted = await alo.orderAsyncBulk({ "germany-30days-5gb": 1, "spain-7days-1gb": 1 }, hook);
    expect(Object.values(accepted).every((a) => a.data.request_id), "request ids");
    await waitFor(3);
  });
  await check("esimVouchers", async () => {
    const answer = await alo.esimVouchers({ vouchers: [{ package_id: "germany-7days-1gb", quantity: 2 }] });
    expect(answer.data[0].codes.length === 2, "two codes");
  });
  await check("voucher", async () => {
    const own = await alo.voucher(40, 22, 1, false, "SDKJOURNEY2");
    expect(own.data.code === "SDKJOURNEY2", JSON.stringify(own));
    const generated = await alo.voucher(1, 5, 2);
    expect(generated.data[0].length === 2, JSON.stringify(generated));
    return "own code, and two generated codes";
  });

  // ---------------------------------------------------------------- eSIMs
  const iccid = (state.iccids || ["8910000000000000000"])[0];
  await check("getSimInstructions", async () => {
    const answer = await alo.getSimInstructions(iccid, "en");
    expect(answer && answer.data.instructions, "instructions");
  });
  await check("getSimUsage", async () => {
    const usage = await alo.getSimUsage(iccid);
    expect(usage.data.total === 1024, JSON.stringify(usage));
    await failsWith(() => alo.getSimUsage("8910300000000000001"), "404");
    return "1 GB left; an unknown ICCID refused";
  });
  await check("getSimUsageBulk", async () => {
    const usages = await alo.getSimUsageBulk(state.iccids);
    expect(Object.keys(usages).sort().join() === [...state.iccids].sort().join(), JSON.stringify(Object.keys(usages)));
    // Unlike getSimUsage, the SDK answers each ICCID's `data` only.
    expect(Object.values(usages).every((u) => u.total === 1024), "both");
  });
  await check("getSimTopups", async () => {
    const topups = await alo.getSimTopups(iccid);
    state.topup = topups.data[0].id;
    return `${topups.data.length} top-ups, e.g. ${state.topup}`;
  });
  await check("topup", async () => {
    const answer = await alo.topup(state.topup, iccid);
    expect(answer.data.package_id === state.topup, JSON.stringify(answer));
    await failsWith(() => alo.topup(state.topup, "8910300000000000001"), "422", "iccid");
    return "topped up; an unknown ICCID refused";
  });
  await check("getSimPackageHistory", async () => {
    const history = await alo.getSimPackageHistory(iccid);
    expect(history.data.length === 2, `the package and its top-up: ${JSON.stringify(history.data)}`);
  });

  // ---------------------------------------------------------------- finance
  await check("getExchangeRates", async () => {
    const rates = await alo.getExchangeRates("2025-01-30", null, null, "AUD,GBP,EUR");
    const to = rates.data.rates.map((r) => r.to).sort().join();
    expect(to === "AUD,EUR,GBP", JSON.stringify(rates));
    expect(rates.data.rates.every((r) => Number(r.mid) > 0), "positive mids");
  });

  // ---------------------------------------------------------------- future orders
  const due = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString().slice(0, 16).replace("T", " ");
  await check("createFutureOrder", async () => {
    const pending = await alo.createFutureOrder("test-create-pending-future-order-7days-1gb", 1, due, hook, "sdk journey");
    state.future = pending.data.request_id;
    const real = await alo.createFutureOrder("germany-7days-1gb", 1, due, hook);
    state.cancel = real.data.request_id;
    expect(state.future.length === 25, "a 25-character request id");
    return "the pending test id and a real package";
  });
  await check("cancelFutureOrder", async () => {
    const answer = await alo.cancelFutureOrder([state.cancel]);
    expect(answer.meta.message === "Future orders cancelled successfully", JSON.stringify(answer));
    await failsWith(() => alo.cancelFutureOrder([state.cancel]), "422", "does not exist");
  });

  // ---------------------------------------------------------------- webhooks
  const signer = new Signature(CLIENT_SECRET);
  await check("Signature.checkSignature(decoded object)", async () => {
    const [signature, body] = state.webhook;
    expect(body.includes("\\/"), "the body is written as PHP writes it");
    expect(signer.checkSignature(signature, JSON.parse(body)), "the signature checks");
    expect(!signer.checkSignature(signature, JSON.parse(body.replace("italy", "spain"))), "tampering shows");
  });
  await check("Signature.checkSignature(raw body)", async () => {
    const [signature, body] = state.webhook;
    expect(signer.checkSignature(signature, body), "the signature checks");
  });

  // The due date passes (the last step: the SDK's cached token lapses with it).
  await check("createFutureOrder [processed on its due date]", async () => {
    const seen = received.length;
    await skip(origin, 3 * 24 * 3600 + 60);
    const [signature, body] = (await waitFor(seen + 1))[seen];
    expect(JSON.parse(body).request_id === state.future, body.slice(0, 200));
    expect(signer.checkSignature(signature, JSON.parse(body)), "signed");
  });
}

async function afterRestart(baseUrl) {
  pointAt(baseUrl);
  await check("initialize [cached across a sandbox restart]", async () => {
    const alo = await new Airalo({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).initialize();
    const devices = await alo.getCompatibleDevices();
    expect(devices && devices.data.length, "the cached token is honoured");
  });
}

(async () => {
  const [mode, baseUrl, origin] = process.argv.slice(2);
  await (mode === "journey" ? journey(baseUrl, origin) : afterRestart(baseUrl));
  process.exit(results.every((s) => s === "OK" || s === "KNOWN") ? 0 : 1);
})();
