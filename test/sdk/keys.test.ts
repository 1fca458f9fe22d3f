import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { encryptKeystoreJson, Wallet } from "ethers";
import {
  checkNewPassword,
  checkOutputPath,
  InvalidArgumentError,
  KeyError,
  loadWallet,
  parsePrivateKey,
  readPasswordFile,
  requireWallet,
  writeKeystore,
} from "../../src";

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

  after(async function () {
    await fs.rm(dir, { recursive: true, force: true });
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

  describe("parsePrivateKey", function () {
    it("accepts 32 bytes of hex with or without 0x and surrounding whitespace", function () {
      expect(parsePrivateKey(`  ${key}\n`, "stdin").address).to.equal(address);
      expect(parsePrivateKey(key.slice(2).toUpperCase(), "stdin").address).to.equal(address);
    });

    it("refuses anything else, naming the source and never echoing the text", function () {
      const secretish = `${key.slice(0, 60)}zz`;
      for (const text of ["", secretish, `${key}00`, `0x${"0".repeat(64)}`, `0x${"f".repeat(64)}`]) {
        expect(() => parsePrivateKey(text, "key.txt"))
          .to.throw(KeyError, /^key\.txt is not a valid private key: expected 32 bytes as 0x-prefixed hex$/)
          .with.property("message")
          .that.does.not.include(secretish.slice(2, 20));
      }
    });
  });

  describe("new keystores", function () {
    const light = { scryptN: 1 << 10 }; // tests only: the default is ethers' scrypt N = 2^17

    it("writes a keystore readable only by its owner that decrypts to the key", async function () {
      const file = path.join(dir, "new.json");
      expect(await writeKeystore(file, new Wallet(key), "correct horse", light)).to.equal(address);
      expect((await fs.stat(file)).mode & 0o777).to.equal(0o600);
      expect(
        (await loadWallet({ keystore: file }, { POR_KEYSTORE_PASSWORD: "correct horse" }))?.address,
      ).to.equal(address);
      expect(await fs.readFile(file, "utf8")).to.not.include(key.slice(2));
    });

    it("refuses to replace an existing file without force, and replaces it with force", async function () {
      const file = path.join(dir, "existing.json");
      await fs.writeFile(file, "old keystore");
      await fs.chmod(file, 0o644); // readable by others: the replacement must not keep that
      const other = Wallet.createRandom();
      const refused = await writeKeystore(file, new Wallet(other.privateKey), "pw", light).catch(
        (e: unknown) => e,
      );
      expect(refused).to.be.instanceOf(InvalidArgumentError);
      expect((refused as Error).message).to.match(/already exists: pass --force to replace it/);
      expect(await fs.readFile(file, "utf8")).to.equal("old keystore");
      await writeKeystore(file, new Wallet(other.privateKey), "pw", { ...light, force: true });
      expect((await fs.stat(file)).mode & 0o777).to.equal(0o600);
      expect((await loadWallet({ keystore: file }, { POR_KEYSTORE_PASSWORD: "pw" }))?.address).to.equal(
        other.address,
      );
      expect((await fs.readdir(dir)).filter((f) => f.startsWith("."))).to.deep.equal([]);
    });

    it("refuses an empty password and one with surrounding whitespace", function () {
      expect(() => checkNewPassword("")).to.throw(KeyError, /must not be empty/);
      expect(() => checkNewPassword("pw ")).to.throw(KeyError, /must not start or end with whitespace/);
      expect(() => checkNewPassword("pass phrase")).to.not.throw();
    });

    it("reads a password file without its trailing newline", async function () {
      expect(await readPasswordFile(path.join(dir, "pw.txt"))).to.equal("pw");
    });

    it("checks an output path early: existing file, directory, missing directory", async function () {
      await checkOutputPath(path.join(dir, "fresh.json"));
      await checkOutputPath(path.join(dir, "pw.txt"), { replace: true });
      for (const [file, pattern] of [
        [path.join(dir, "pw.txt"), /already exists: pass --force to replace it$/],
        [dir, /is a directory/],
        [path.join(dir, "missing", "k.json"), /its directory does not exist$/],
      ] as const) {
        const err = await checkOutputPath(file).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(InvalidArgumentError);
        expect((err as Error).message).to.match(pattern);
      }
    });
  });
});
