import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { AbiCoder, getAddress, Interface } from "ethers";
import {
  appendSafeBatch,
  encodeMultiSendTransactions,
  InvalidArgumentError,
  InvalidFileError,
  MULTI_SEND_CALL_ONLY_1_4_1,
  multiSendInterface,
  parseSafeBatch,
  readSafeBatch,
  safeBatchToJson,
  SafeOperation,
  safeTransactionForBatch,
  TX_BUILDER_VERSION,
  txBuilderChecksum,
} from "../../src";
import type { Address, PlannedCall } from "../../src";

const FIXTURES = path.join(__dirname, "..", "fixtures");
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
const SAFE = "0xC7d82960dd13Db79813B38Ebb22CeB44c43f48F7";
const admin = new Interface([
  "function accreditAuditor(address auditor, string name)",
  "function approveReserveAsset(address asset)",
]);
const ALPHA = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const USDO = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

const accredit: PlannedCall = {
  description: "accredit auditor Alpha",
  to: REGISTRY,
  data: admin.encodeFunctionData("accreditAuditor", [ALPHA, "Alpha"]),
};
const approve: PlannedCall = {
  description: "approve reserve asset USDO",
  to: REGISTRY,
  data: admin.encodeFunctionData("approveReserveAsset", [USDO]),
};

async function refused(
  promise: Promise<unknown> | (() => unknown),
  type: new (...args: never[]) => Error,
  pattern: RegExp,
) {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail("accepted");
}

describe("Safe Transaction Builder batches (SDK)", function () {
  let dir: string;
  const file = (name: string) => path.join(dir, name);

  before(async function () {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-safe-batch-"));
  });

  after(async function () {
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe("txBuilderChecksum", function () {
    it("matches the Transaction Builder's own test vector (safe-react-apps tx-builder lib/checksum.test.js)", function () {
      // The app's test object, field for field: its checksum ignores meta.name and sorts keys.
      const batch = {
        version: "1.0",
        chainId: "4",
        createdAt: 1646321521061,
        meta: {
          name: "test batch file",
          txBuilderVersion: "1.4.0",
          checksum: "",
          createdFromSafeAddress: "0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa",
          createdFromOwnerAddress: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
        },
        transactions: [
          {
            to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
            value: "0",
            contractMethod: {
              inputs: [{ internalType: "address", name: "paramAddress", type: "address" }],
              name: "testAddress",
              payable: false,
            },
            contractInputsValues: { paramAddress: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6" },
          },
          {
            to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
            value: "0",
            contractMethod: {
              inputs: [{ internalType: "bool", name: "paramBool", type: "bool" }],
              name: "testBool",
              payable: false,
            },
            contractInputsValues: { paramAddress: "", paramBool: "false" },
          },
          {
            to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
            value: "2000000000000000000",
            data: "0x42f4579000000000000000000000000049d4450977e2c95362c13d3a31a09311e0ea26a6",
          },
        ],
      };
      const expected = "0x4ecbfd364aa6759983915644e73f8bd411e85a2dc306f252a387c2728c4db64c";
      expect(txBuilderChecksum(batch)).to.equal(expected);
      const reordered = Object.fromEntries(Object.entries(batch).reverse());
      expect(txBuilderChecksum(reordered)).to.equal(expected);
      expect(txBuilderChecksum({ ...batch, meta: { ...batch.meta, name: "renamed" } })).to.equal(expected);
      expect(txBuilderChecksum({ ...batch, transactions: [...batch.transactions].reverse() })).to.not.equal(
        expected,
      );
    });
  });

  describe("appendSafeBatch", function () {
    it("writes the Transaction Builder's JSON: string chain id and values, raw data, null contractMethod, a checksum", async function () {
      const before = Date.now();
      await appendSafeBatch(file("new.json"), { chainId: 11155111, safeAddress: SAFE, calls: [accredit] });
      const json = JSON.parse(await fs.readFile(file("new.json"), "utf8")) as Record<string, unknown> & {
        meta: Record<string, unknown>;
        createdAt: number;
      };
      expect(Object.keys(json)).to.deep.equal(["version", "chainId", "createdAt", "meta", "transactions"]);
      expect(json).to.deep.include({
        version: "1.0",
        chainId: "11155111",
        transactions: [
          { to: REGISTRY, value: "0", data: accredit.data, contractMethod: null, contractInputsValues: null },
        ],
      });
      expect(json.createdAt).to.be.within(before, Date.now());
      expect(json.meta).to.deep.include({
        name: "por-registry transactions",
        description: "accredit auditor Alpha",
        txBuilderVersion: TX_BUILDER_VERSION,
        createdFromSafeAddress: getAddress(SAFE),
        createdFromOwnerAddress: "",
      });
      const { checksum, ...meta } = json.meta;
      expect(checksum).to.equal(txBuilderChecksum({ ...json, meta }));
    });

    it("refuses to overwrite an existing file without --append or --force, and leaves it unchanged", async function () {
      await appendSafeBatch(file("kept.json"), { chainId: 1, calls: [accredit] });
      const original = await fs.readFile(file("kept.json"), "utf8");
      await refused(
        appendSafeBatch(file("kept.json"), { chainId: 1, calls: [approve] }),
        InvalidArgumentError,
        /kept\.json already exists: pass --append to add to it, or --force to replace it$/,
      );
      expect(await fs.readFile(file("kept.json"), "utf8")).to.equal(original);
      const replaced = await appendSafeBatch(
        file("kept.json"),
        { chainId: 1, calls: [approve] },
        { force: true },
      );
      expect(replaced.transactions.map((t) => t.data)).to.deep.equal([approve.data]);
    });

    it("appends to a batch of the same chain, keeping its creation time, and creates a missing one", async function () {
      const first = await appendSafeBatch(
        file("grow.json"),
        { chainId: 8453, calls: [accredit] },
        { append: true },
      );
      const grown = await appendSafeBatch(
        file("grow.json"),
        { chainId: 8453, safeAddress: SAFE, calls: [approve] },
        { append: true },
      );
      expect(grown.transactions.map((t) => t.data)).to.deep.equal([accredit.data, approve.data]);
      expect(grown.createdAt).to.equal(first.createdAt);
      expect(grown.description).to.equal("accredit auditor Alpha; approve reserve asset USDO");
      expect(grown.safeAddress).to.equal(getAddress(SAFE));
      expect(await readSafeBatch(file("grow.json"))).to.deep.equal(grown);
    });

    it("refuses to append to a batch of another chain or another Safe", async function () {
      await appendSafeBatch(file("base.json"), { chainId: 8453, safeAddress: SAFE, calls: [accredit] });
      await refused(
        appendSafeBatch(file("base.json"), { chainId: 42161, calls: [approve] }, { append: true }),
        InvalidArgumentError,
        /base\.json is a batch for chain 8453, not chain 42161: write this chain's calls to another file$/,
      );
      await refused(
        appendSafeBatch(
          file("base.json"),
          { chainId: 8453, safeAddress: ALPHA, calls: [approve] },
          { append: true },
        ),
        InvalidArgumentError,
        new RegExp(`base\\.json is a batch for Safe ${getAddress(SAFE)}, not ${ALPHA}$`),
      );
      expect((await readSafeBatch(file("base.json"))).transactions).to.have.lengthOf(1);
    });

    it("refuses no calls and malformed calldata", async function () {
      await refused(
        appendSafeBatch(file("empty.json"), { chainId: 1, calls: [] }),
        InvalidArgumentError,
        /^no calls to write to the Safe batch$/,
      );
      await refused(
        appendSafeBatch(file("bad.json"), { chainId: 1, calls: [{ ...approve, data: "0x123" }] }),
        InvalidArgumentError,
        /^approve reserve asset USDO: calldata must be 0x-prefixed hex bytes$/,
      );
    });
  });

  describe("readSafeBatch", function () {
    it("reads the saved sample file (format 1.0) and turns it into a MultiSendCallOnly delegatecall", async function () {
      const batch = await readSafeBatch(path.join(FIXTURES, "safe-batch-v1.json"));
      expect(batch.chainId).to.equal(11155111n);
      expect(batch.transactions).to.have.lengthOf(2);
      const tx = safeTransactionForBatch(batch, MULTI_SEND_CALL_ONLY_1_4_1);
      expect(tx).to.include({
        to: MULTI_SEND_CALL_ONLY_1_4_1,
        value: 0n,
        operation: SafeOperation.DelegateCall,
      });
      const [packed] = multiSendInterface.decodeFunctionData("multiSend", tx.data);
      expect(packed).to.equal(encodeMultiSendTransactions(batch.transactions));
    });

    it("refuses an edited file (checksum), a wrong version, no transactions, and calls without raw data", async function () {
      const good = safeBatchToJson({
        chainId: 1n,
        createdAt: 1735689600000,
        name: "x",
        description: "",
        txBuilderVersion: TX_BUILDER_VERSION,
        safeAddress: null,
        transactions: [{ to: REGISTRY, value: 0n, data: approve.data }],
      }) as Record<string, unknown> & { transactions: Array<Record<string, unknown>> };
      expect(parseSafeBatch(good, "b.json").transactions).to.have.lengthOf(1);
      const edited = { ...good, transactions: [{ ...good.transactions[0], value: "1" }] };
      await refused(
        () => parseSafeBatch(edited, "b.json"),
        InvalidFileError,
        /^b\.json: its checksum does not match: the file was changed after it was written/,
      );
      await refused(
        () => parseSafeBatch({ ...good, version: "2.0" }, "b.json"),
        InvalidFileError,
        /^b\.json: version must be "1\.0"/,
      );
      await refused(
        () => parseSafeBatch({ ...good, transactions: [] }, "b.json"),
        InvalidFileError,
        /^b\.json: transactions must be a non-empty list$/,
      );
      const meta = good.meta as Record<string, unknown>;
      const noData = {
        ...good,
        meta: { ...meta, checksum: undefined },
        transactions: [{ to: REGISTRY, value: "0", contractMethod: { name: "approveReserveAsset" } }],
      };
      await refused(
        () => parseSafeBatch(noData, "b.json"),
        InvalidFileError,
        /^b\.json: transaction 1 has no raw data: batches whose calls are only contractMethod inputs are not supported/,
      );
    });

    it("encodes MultiSend's packed format: operation, to, value, data length, data for each call", function () {
      const packed = encodeMultiSendTransactions([
        { to: REGISTRY, value: 5n, data: "0xabcd" },
        { to: ALPHA, data: "0x" },
      ]);
      const coder = AbiCoder.defaultAbiCoder();
      const word = (type: string, value: unknown) => coder.encode([type], [value]).slice(2);
      const expected =
        "0x" +
        "00" +
        REGISTRY.slice(2).toLowerCase() +
        word("uint256", 5n) +
        word("uint256", 2n) +
        "abcd" +
        "00" +
        ALPHA.slice(2).toLowerCase() +
        word("uint256", 0n) +
        word("uint256", 0n);
      expect(packed.toLowerCase()).to.equal(expected);
      const single = safeTransactionForBatch({
        chainId: 1n,
        createdAt: 0,
        name: "",
        description: "",
        txBuilderVersion: TX_BUILDER_VERSION,
        safeAddress: null,
        transactions: [{ to: REGISTRY, value: 0n, data: approve.data }],
      });
      expect(single).to.deep.equal({
        to: REGISTRY,
        value: 0n,
        data: approve.data,
        operation: SafeOperation.Call,
      });
    });
  });
});
