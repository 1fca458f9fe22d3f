import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { encryptKeystoreJson, Wallet } from "ethers";
import { KeyError, loadWallet, requireWallet } from "../../src";

describe("keys", function () {
  const key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
  const address = new Wallet(key).address;
  let dir: string;
  let keystore: string;

  before(async function () {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "por-keys-"));
    keystore = path.join(dir, "keystore.json");
    await fs.writeFile(
      keystore,
      await encryptKeystoreJson({ address, privateKey: key }, "pw", { scrypt: { N: 1 << 10 } }),
    );
    await fs.writeFile(path.join(dir, "pw.txt"), "pw\n");
  });

  it("loads POR_PRIVATE_KEY, with or without 0x", async function () {
    expect((await loadWallet({}, { POR_PRIVATE_KEY: key }))?.address).to.equal(address);
    expect((await loadWallet({}, { POR_PRIVATE_KEY: key.slice(2) }))?.address).to.equal(address);
  });

  it("returns null without a key, and requireWallet refuses", async function () {
    expect(await loadWallet({}, {})).to.equal(null);
    await requireWallet({}, {}).then(
      () => expect.fail("accepted no key"),
      (err: unknown) =>
        expect(err)
          .to.be.instanceOf(KeyError)
          .with.property("message")
          .match(/^no signing key/),
    );
  });

  const refusal = async (promise: Promise<unknown>, pattern: RegExp) =>
    promise.then(
      () => expect.fail("accepted"),
      (err: unknown) => {
        expect(err).to.be.instanceOf(KeyError);
        expect((err as Error).message).to.match(pattern);
      },
    );

  it("refuses a malformed private key without echoing it", async function () {
    await refusal(
      loadWallet({}, { POR_PRIVATE_KEY: "0xnotakey" }),
      /^POR_PRIVATE_KEY is not a valid private key[^n]*$/,
    );
  });

  it("decrypts a keystore with the password from env or file", async function () {
    expect((await loadWallet({ keystore }, { POR_KEYSTORE_PASSWORD: "pw" }))?.address).to.equal(address);
    expect((await loadWallet({ keystore, passwordFile: path.join(dir, "pw.txt") }, {}))?.address).to.equal(
      address,
    );
  });

  it("refuses a wrong password, a missing password, a missing file and a non-keystore", async function () {
    await refusal(
      loadWallet({ keystore }, { POR_KEYSTORE_PASSWORD: "nope" }),
      /^wrong password for keystore/,
    );
    await refusal(loadWallet({ keystore }, {}), /needs a password/);
    await refusal(
      loadWallet({ keystore: path.join(dir, "missing.json") }, { POR_KEYSTORE_PASSWORD: "pw" }),
      /ENOENT/,
    );
    await refusal(
      loadWallet({ keystore: path.join(dir, "pw.txt") }, { POR_KEYSTORE_PASSWORD: "pw" }),
      /is not an encrypted JSON keystore/,
    );
    await refusal(
      loadWallet({ passwordFile: path.join(dir, "pw.txt") }, {}),
      /--password-file needs --keystore/,
    );
  });
});
