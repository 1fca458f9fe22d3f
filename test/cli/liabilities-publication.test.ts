import { expect } from "chai";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { NonceManager, keccak256 } from "ethers";
import { attestationDomain, signAttestation, ZERO_HASH, type Attestation, type Hex32 } from "../../src";
import { MANIFEST_FILE, parseManifestBytes, type LiabilitiesSummary } from "../../src/liabilities";
import { LiabilityChallenges__factory } from "../../typechain-types";
import { expectJson, expectRefusal, expectSuccess, por, tempDir } from "../helpers/cli";
import { deployRegistry, registerSubject, type Fixture } from "../helpers/fixture";
import { buildAccounts } from "../helpers/liabilities-build";
import { freshProvider } from "../helpers/node";

/** 40 customers with 6-decimal balances and salts of their own (given in the CSV). */
const CUSTOMERS = Array.from({ length: 40 }, (_, i) => ({
  accountId: i === 0 ? "alice@example.com" : i === 1 ? "bob@example.com" : `customer-${i}`,
  balance: `${i * 125}.${String(i * 7).padStart(6, "0")}`,
  salt: keccak256(Buffer.from(`salt of customer ${i}`)),
}));
const [ALICE, BOB] = CUSTOMERS as [(typeof CUSTOMERS)[number], (typeof CUSTOMERS)[number]];

function csvOf(customers: typeof CUSTOMERS): string {
  return `account,balance,salt\n${customers.map((c) => `${c.accountId},${c.balance},${c.salt}`).join("\n")}\n`;
}

/** Posts a round attesting a liabilities tree's root and total, signed by auditors 1 and 2. */
async function postTreeRound(
  fixture: Fixture,
  subjectId: Hex32,
  tree: LiabilitiesSummary,
  round: number,
): Promise<void> {
  const att: Attestation = {
    subjectId,
    asOf: (await fixture.now()) - 100n + BigInt(round), // each round after the one before
    reserves: tree.total,
    liabilities: tree.total,
    liabilitiesRoot: tree.root as Hex32,
    reportHash: ZERO_HASH,
  };
  const provider = await freshProvider();
  const { chainId } = await provider.getNetwork();
  const domain = attestationDomain(chainId, fixture.address);
  const signed = await Promise.all(fixture.auditors.slice(0, 2).map((a) => signAttestation(a, domain, att)));
  signed.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  const registry = fixture.registry.connect(new NonceManager(fixture.admin.connect(provider)));
  await (
    await registry.postAttestation(
      att,
      signed.map((s) => s.signer),
      signed.map((s) => s.signature),
    )
  ).wait();
}

/** A static file server on 127.0.0.1 (port picked by the OS) that records every path it is asked for. */
async function serve(root: string): Promise<{ server: Server; base: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(url.pathname);
    const file = path.join(root, path.normalize(decodeURIComponent(url.pathname)));
    if (!file.startsWith(root) || !existsSync(file) || (!file.endsWith(".json") && !file.endsWith(".bin"))) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, requests };
}

describe("por liabilities publish, commit and check (CLI)", function () {
  this.timeout(300_000);
  const subject = "PUBX";
  let fixture: Fixture;
  let subjectId: Hex32;
  let dir: string;
  let http: Awaited<ReturnType<typeof serve>>;
  const issuerKey = () => ({ POR_PRIVATE_KEY: fixture.issuer.privateKey });
  const onChain = (args: string[], env: Record<string, string> = {}) =>
    por(["--network", "localhost", ...args, "--registry", fixture.address], { env });
  const checkArgs = (customer: (typeof CUSTOMERS)[number], round: number, extra: string[] = []) => [
    "liabilities",
    "check",
    "--subject",
    subject,
    "--round",
    String(round),
    "--account",
    customer.accountId,
    "--salt",
    customer.salt,
    "--balance",
    customer.balance,
    ...extra,
  ];

  before(async function () {
    dir = tempDir("publication");
    fixture = await deployRegistry();
    subjectId = await registerSubject(fixture, subject);
    // Round 1: every customer. Round 2: Bob omitted. Round 3: every customer, never committed.
    const full = await buildAccounts(dir, [], { csv: csvOf(CUSTOMERS), decimals: 6 });
    full.tree.close();
    const omittedDir = path.join(dir, "omitted");
    mkdirSync(omittedDir);
    const omitted = await buildAccounts(omittedDir, [], {
      csv: csvOf(CUSTOMERS.filter((c) => c !== BOB)),
      decimals: 6,
    });
    omitted.tree.close();
    for (const [i, tree] of [full.summary, omitted.summary, full.summary].entries()) {
      await postTreeRound(fixture, subjectId, tree, i + 1);
    }
    http = await serve(dir);
  });
  after(() => new Promise<void>((resolve) => (http ? http.server.close(() => resolve()) : resolve())));

  describe("publish", function () {
    it("writes the manifest and the shards, and prints the hash to commit and a customer's download", async function () {
      const out = expectSuccess(
        await por(["liabilities", "publish", dir, "--out", path.join(dir, "pub"), "--shard-leaves", "8"]),
      );
      const manifest = readFileSync(path.join(dir, "pub", MANIFEST_FILE));
      expect(out).to.match(/^published liabilities tree .*: 40 leaves in 5 shards of 8\n/);
      expect(out).to.include(`keccak256 ${keccak256(manifest)}`);
      expect(out).to.match(
        /\ndownload {3}at most \d+\.\d kB per customer \(manifest \d+\.\d kB, largest shard 0\.4 kB\)\n/,
      );
      expect(readdirSync(path.join(dir, "pub", "shards"))).to.have.length(5);
      const json = expectJson<Record<string, unknown>>(
        await por([
          "--json",
          "liabilities",
          "publish",
          path.join(dir, "omitted"),
          "--out",
          path.join(dir, "pub-omitted"),
        ]),
      );
      expect(json).to.deep.include({ leafCount: 39, shardLeaves: 1024, shardCount: 1, decimals: 6 });
      expect(json.manifestHash).to.equal(
        keccak256(readFileSync(path.join(dir, "pub-omitted", MANIFEST_FILE))),
      );
    });

    it("refuses an existing --out without --force and a shard size that is not a power of two, writing nothing", async function () {
      expectRefusal(
        await por(["liabilities", "publish", dir, "--out", path.join(dir, "pub")]),
        /pub already exists: pass --force to replace it$/,
      );
      expectRefusal(
        await por(["liabilities", "publish", dir, "--out", path.join(dir, "pub-6"), "--shard-leaves", "6"]),
        /^--shard-leaves must be a power of two from 1 to 1048576, got 6$/,
      );
      expect(existsSync(path.join(dir, "pub-6"))).to.equal(false);
      expect(readdirSync(dir).filter((f) => f.startsWith("."))).to.deep.equal([]);
    });
  });

  describe("commit", function () {
    it("refuses a path for --uri: customers need a URL", async function () {
      expectRefusal(
        await onChain(
          ["liabilities", "commit", "--uri", path.join(dir, "pub"), "--subject", subject],
          issuerKey(),
        ),
        /^--uri must be the URL customers fetch the manifest from, got .*: https:\/\/… \(or file:\/\/\/… for a local test\)$/,
      );
    });

    it("refuses a publication that is not the round's tree", async function () {
      expectRefusal(
        await onChain(
          ["liabilities", "commit", "--uri", `${http.base}/pub/`, "--subject", subject, "--round", "2"],
          issuerKey(),
        ),
        /pub\/manifest\.json publishes root 0x[0-9a-f]{64} with total \d+ \(6 decimals\), subject PUBX round 2 on chain 31337 attests root 0x[0-9a-f]{64}/,
      );
    });

    it("commits the manifest served at --uri (subject owner), once", async function () {
      const uri = `${http.base}/pub/manifest.json`;
      const args = ["liabilities", "commit", "--uri", uri, "--subject", subject, "--round", "1"];
      expectRefusal(
        await onChain(args, { POR_PRIVATE_KEY: fixture.admin.privateKey }),
        /NotSubjectOwner|subject owner|owner/i,
      );
      const out = expectSuccess(await onChain(args, issuerKey()));
      expect(out).to.match(/^committed the published proofs of subject PUBX round 1 on chain 31337\n/);
      const provider = await freshProvider();
      const challenges = LiabilityChallenges__factory.connect(await fixture.registry.challenges(), provider);
      const [hash, committedUri] = await challenges.publication(subjectId, 1);
      expect(hash).to.equal(keccak256(readFileSync(path.join(dir, "pub", MANIFEST_FILE))));
      expect(committedUri).to.equal(uri);
      // The same again changes nothing; another URI is refused by the contract.
      expect(expectSuccess(await onChain(args, issuerKey()))).to.match(
        /^already committed: .*nothing sent\n/,
      );
      expectRefusal(
        await onChain([...args.slice(0, 3), `${uri}?v=2`, ...args.slice(4)], issuerKey()),
        /already published; a publication cannot change/,
      );
    });
  });

  describe("check", function () {
    // Round 2 (Bob omitted) is committed by the owner directly, with ethers: setup, not a test.
    before(async function () {
      const provider = await freshProvider();
      const owner = new NonceManager(fixture.issuer.connect(provider));
      const challenges = LiabilityChallenges__factory.connect(await fixture.registry.challenges(), owner);
      const manifest = readFileSync(path.join(dir, "pub-omitted", MANIFEST_FILE));
      await (
        await challenges.publishProofs(subjectId, 2, keccak256(manifest), `${http.base}/pub-omitted/`)
      ).wait();
      const [hash] = await challenges.publication(subjectId, 2);
      expect(hash).to.equal(keccak256(manifest));
    });

    it("accepts every real customer, fetching only the manifest and the customer's shard from the committed URI", async function () {
      for (const customer of CUSTOMERS.slice(0, 6)) {
        http.requests.length = 0;
        const out = expectSuccess(await onChain(checkArgs(customer, 1)));
        expect(out).to.match(
          new RegExp(
            `^VALID: account "${customer.accountId}" with balance [\\d.]+ is in the published proofs of subject PUBX round 1 on chain 31337\n`,
          ),
        );
        expect(out).to.match(/\n {2}leaf \d+ with balance [\d.]+ reaches the attested root in \d+ steps\n/);
        expect(http.requests[0]).to.equal("/pub/manifest.json");
        expect(http.requests.slice(1)).to.have.length(1);
        expect(http.requests[1]).to.match(/^\/pub\/shards\/\d\.bin$/);
      }
    });

    it("prints the verdict as JSON with --json", async function () {
      const json = expectJson<Record<string, unknown>>(await onChain(["--json", ...checkArgs(ALICE, 1)]));
      const manifest = readFileSync(path.join(dir, "pub", MANIFEST_FILE));
      expect(json).to.deep.include({
        valid: true,
        accountId: ALICE.accountId,
        balance: "0",
        decimals: 6,
        subjectId,
        round: "1",
        chainId: "31337",
        uri: `${http.base}/pub/manifest.json`,
        manifestHash: keccak256(manifest),
      });
      expect(json.checks).to.have.length(4);
      const shard = json.shard as { index: number; bytes: number };
      expect(json.downloadedBytes).to.equal(manifest.length + shard.bytes);
    });

    it("an omitted customer: not in the publication, where their leaf must be; the others still check", async function () {
      expectRefusal(
        await onChain(checkArgs(BOB, 2)),
        /^INVALID: account not in the publication: leaf 0x[0-9a-f]{64} is not in shard 0 \(leaves 0 to 38\), where its hash places it: this account and balance are not in the publication \(subject PUBX round 2 on chain 31337\)$/,
      );
      expectSuccess(await onChain(checkArgs(ALICE, 2)));
      // Shown a lower balance than the ledger's: the same failure.
      expectRefusal(
        await onChain(checkArgs({ ...CUSTOMERS[5]!, balance: "1" }, 1)),
        /^INVALID: account not in the publication/,
      );
    });

    it("a tampered shard: its hash differs from the manifest's", async function () {
      cpSync(path.join(dir, "pub"), path.join(dir, "pub-tampered"), { recursive: true });
      const manifest = parseManifestBytes(readFileSync(path.join(dir, "pub", MANIFEST_FILE)), "m");
      for (const entry of manifest.shards) {
        const file = path.join(dir, "pub-tampered", entry.file);
        const bytes = readFileSync(file);
        bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1); // the last leaf's sum
        writeFileSync(file, bytes);
      }
      const run = await onChain(checkArgs(ALICE, 1, ["--uri", `${http.base}/pub-tampered/`]));
      expectRefusal(
        run,
        /^INVALID: shard hash differs from the manifest's: shard \d \(http:\/\/127\.0\.0\.1:\d+\/pub-tampered\/shards\/\d\.bin\) is not the one the manifest names: (\d+) bytes with SHA-256 0x[0-9a-f]{64}, the manifest says \1 bytes with SHA-256 0x[0-9a-f]{64} \(subject PUBX round 1 on chain 31337\)$/,
      );
      expect(run.code).to.equal(1);
    });

    it("a manifest whose hash is not the one on-chain", async function () {
      cpSync(path.join(dir, "pub"), path.join(dir, "pub-edited"), { recursive: true });
      const file = path.join(dir, "pub-edited", MANIFEST_FILE);
      writeFileSync(file, readFileSync(file, "utf8").replace(/\n$/, " \n"));
      expectRefusal(
        await onChain(checkArgs(ALICE, 1, ["--uri", `${http.base}/pub-edited/manifest.json`])),
        /^INVALID: manifest hash differs from the one committed on-chain: .*pub-edited\/manifest\.json has keccak256 0x[0-9a-f]{64}, the round commits 0x[0-9a-f]{64}/,
      );
    });

    it("a round with no publication committed", async function () {
      expectRefusal(
        await onChain(checkArgs(ALICE, 3, ["--uri", `${http.base}/pub/`])),
        /^INVALID: manifest not committed on-chain: no publication is committed on-chain for this round \(subject PUBX round 3 on chain 31337\)$/,
      );
      // Without --uri there is nothing to fetch: the same verdict.
      expectRefusal(await onChain(checkArgs(ALICE, 3)), /^INVALID: manifest not committed on-chain/);
    });

    it("--all-shards checks the whole publication, with or without a customer's balance", async function () {
      const audit = expectSuccess(
        await onChain(["liabilities", "check", "--subject", subject, "--round", "1", "--all-shards"]),
      );
      expect(audit).to.match(
        /^VALID: the publication of subject PUBX round 1 on chain 31337 is complete and consistent\n/,
      );
      expect(audit).to.include(
        "  all 5 shards are the ones the manifest names, their 40 leaves in ascending hash order\n",
      );
      expect(audit).to.match(/\ndownloaded [\d.]+ kB: the manifest and every shard\n$/);
      const both = expectSuccess(await onChain(checkArgs(ALICE, 1, ["--all-shards"])));
      expect(both).to.match(
        /^VALID: the publication .*\n[\s\S]*\nVALID: account "alice@example\.com" with balance 0 is in the published proofs/,
      );
      expectRefusal(
        await onChain([
          "liabilities",
          "check",
          "--subject",
          subject,
          "--round",
          "1",
          "--all-shards",
          "--uri",
          `${http.base}/pub-tampered/`,
        ]),
        /^INVALID: shard hash differs from the manifest's: shard 0 /,
      );
      const partial = await onChain([
        "liabilities",
        "check",
        "--subject",
        subject,
        "--all-shards",
        "--account",
        "x",
      ]);
      expect(partial.code).to.equal(64);
      expect(partial.stderr).to.equal(
        "error: required option '--salt <hex>' not specified (see 'por liabilities check --help')\n",
      );
    });

    it("reads a publication from a path or file: URL too", async function () {
      expectSuccess(await onChain(checkArgs(ALICE, 1, ["--uri", path.join(dir, "pub")])));
      expectSuccess(
        await onChain(checkArgs(ALICE, 1, ["--uri", `file://${path.join(dir, "pub", MANIFEST_FILE)}`])),
      );
    });

    it("refuses bad input with one line: salt, balance precision, an unreachable URI, a missing option", async function () {
      expectRefusal(
        await onChain(checkArgs({ ...ALICE, salt: "0x1234" }, 1)),
        /^--salt must be a 0x-prefixed 32-byte hex string$/,
      );
      expectRefusal(
        await onChain(checkArgs({ ...ALICE, balance: "1.0000001" }, 1)),
        /balance "1\.0000001" has 7 decimals, more than the 6 allowed/,
      );
      expectRefusal(
        await onChain(checkArgs(ALICE, 1, ["--uri", `${http.base}/nothing/`])),
        /^cannot fetch http:\/\/127\.0\.0\.1:\d+\/nothing\/manifest\.json: HTTP 404/,
      );
      const usage = await onChain([
        "liabilities",
        "check",
        "--subject",
        subject,
        "--salt",
        ALICE.salt,
        "--balance",
        "1",
      ]);
      expect(usage.code).to.equal(64);
      expect(usage.stderr).to.equal(
        "error: required option '--account <id>' not specified (or pass --all-shards) (see 'por liabilities check --help')\n",
      );
    });
  });
});
