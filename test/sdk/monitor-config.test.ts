import { expect } from "chai";
import { InvalidFileError } from "../../src/core/errors";
import { parseMonitorConfig } from "../../src/monitor";
import { WAD } from "../../src/core/ratio";

const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const VAULT = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

function config(overrides: Record<string, unknown> = {}) {
  return {
    format: "por-monitor/1",
    networks: {
      home: { rpcUrl: "http://127.0.0.1:8545", chainId: 31337 },
      remote: { rpcUrl: "http://127.0.0.1:8546" },
    },
    checks: [
      { type: "subject", name: "USDX", network: "home", registry: TOKEN, subject: "USDX", minRatio: "98%" },
      {
        type: "bridge",
        name: "pair",
        wrapped: { network: "remote", token: TOKEN },
        locked: { network: "home", token: TOKEN, holders: [VAULT] },
      },
    ],
    ...overrides,
  };
}

function refusal(value: unknown): string {
  try {
    parseMonitorConfig(value, "monitor.json");
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidFileError);
    return (err as Error).message;
  }
  throw new Error("config was accepted");
}

describe("parseMonitorConfig", function () {
  it("parses subject and bridge checks with defaults", function () {
    const parsed = parseMonitorConfig(config(), "monitor.json");
    expect(parsed.intervalSeconds).to.equal(60);
    expect(parsed.retry).to.deep.equal({ attempts: 4, baseDelayMs: 250, timeoutMs: 10_000 });
    expect(parsed.networks.home!.chainId).to.equal(31337n);
    expect(parsed.networks.remote!.chainId).to.equal(undefined);
    const [subject, bridge] = parsed.checks;
    expect(subject).to.include({ type: "subject", name: "USDX", minRatioWad: (98n * WAD) / 100n });
    expect(bridge).to.include({ type: "bridge", minRatioWad: WAD });
  });

  it("refuses an unknown format", function () {
    expect(refusal(config({ format: "por-monitor/2" }))).to.match(
      /format "por-monitor\/2".*expected "por-monitor\/1"/,
    );
  });

  it("refuses a check on a network that is not declared", function () {
    const bad = config();
    (bad.checks[0] as Record<string, unknown>).network = "mainnet";
    expect(refusal(bad)).to.match(/checks\[0\]\.network must name a network/);
  });

  it("refuses a malformed address, naming the field", function () {
    const bad = config();
    (bad.checks[1] as { locked: { holders: string[] } }).locked.holders = ["0x1234"];
    expect(refusal(bad)).to.match(/checks\[1\]\.locked\.holders\[0\] must be an address/);
  });

  it("refuses duplicate check names, an unknown check type, empty checks and bad numbers", function () {
    const duplicate = config();
    (duplicate.checks[1] as Record<string, unknown>).name = "USDX";
    expect(refusal(duplicate)).to.match(/"USDX" is used twice/);
    const unknownType = config();
    (unknownType.checks[0] as Record<string, unknown>).type = "oracle";
    expect(refusal(unknownType)).to.match(/checks\[0\]\.type must be "subject" or "bridge"/);
    expect(refusal(config({ checks: [] }))).to.match(/checks must be a non-empty array/);
    expect(refusal(config({ intervalSeconds: 0 }))).to.match(/intervalSeconds must be a positive integer/);
    expect(refusal(config({ intervalSeconds: 86_401 }))).to.match(
      /intervalSeconds must be a positive integer up to 86400/,
    );
    expect(refusal(config({ retry: { baseDelayMs: 2 ** 31 } }))).to.match(
      /retry.baseDelayMs must be a positive integer up to 60000/,
    );
    expect(refusal(config({ retry: { attempts: 1.5 } }))).to.match(
      /retry.attempts must be a positive integer/,
    );
    expect(refusal(config({ networks: { home: { rpcUrl: "ftp://x" } } }))).to.match(
      /rpcUrl must be an http\(s\) URL/,
    );
  });

  it("refuses a network name inherited from Object.prototype", function () {
    const bad = config();
    (bad.checks[0] as Record<string, unknown>).network = "constructor";
    expect(refusal(bad)).to.match(/checks\[0\]\.network must name a network/);
  });

  it("refuses a minRatio given as a JSON number (a float) and a lock address listed twice", function () {
    const float = config();
    // eslint-disable-next-line no-loss-of-precision -- the point: a JSON number cannot hold this ratio
    (float.checks[0] as Record<string, unknown>).minRatio = 0.99999999999999999;
    expect(refusal(float)).to.match(/minRatio must be a string/);
    const twice = config();
    (twice.checks[1] as { locked: { holders: string[] } }).locked.holders = [VAULT, VAULT.toLowerCase()];
    expect(refusal(twice)).to.match(/locked\.holders lists 0x\w+ twice/);
  });

  it("refuses an unknown key anywhere, with its path and the key it probably meant", function () {
    const typo = config();
    (typo.checks[0] as Record<string, unknown>).minratio = "0.5";
    expect(refusal(typo)).to.equal(
      'monitor.json: checks[0].minratio is not a known key: did you mean "minRatio"?',
    );
    const cases: Array<[(c: ReturnType<typeof config>) => void, RegExp]> = [
      [
        (c) => Object.assign(c, { interval: 30 }),
        /^monitor\.json: interval is not a known key: expected one of format, /,
      ],
      [
        (c) => Object.assign(c, { retry: { Attempts: 3 } }),
        /: retry\.Attempts is not a known key: did you mean "attempts"\?$/,
      ],
      [
        (c) => Object.assign(c.networks.home, { rpcURL: "x" }),
        /: networks\.home\.rpcURL is not a known key: did you mean "rpcUrl"/,
      ],
      [(c) => Object.assign(c.checks[1]!, { holders: [] }), /: checks\[1\]\.holders is not a known key/],
      [
        (c) => Object.assign((c.checks[1] as { locked: object }).locked, { holder: VAULT }),
        /: checks\[1\]\.locked\.holder is not a known key: expected one of network, token, holders$/,
      ],
      [
        (c) => Object.assign((c.checks[1] as { wrapped: object }).wrapped, { decimals: 6 }),
        /: checks\[1\]\.wrapped\.decimals is not a known key/,
      ],
      // A subject check's keys are not a bridge's, and the other way round.
      [(c) => Object.assign(c.checks[0]!, { locked: {} }), /: checks\[0\]\.locked is not a known key/],
    ];
    for (const [edit, pattern] of cases) {
      const bad = config();
      edit(bad);
      expect(refusal(bad), pattern.source).to.match(pattern);
    }
  });

  it("refuses a malformed minRatio as an invalid file", function () {
    const bad = config();
    (bad.checks[0] as Record<string, unknown>).minRatio = "-1";
    expect(refusal(bad)).to.match(/monitor.json: checks\[0\]\.minRatio must be a non-negative decimal/);
  });
});
