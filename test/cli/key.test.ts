import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { expect } from "chai";
import { Wallet } from "ethers";
import { CancelledError } from "../../src";
import { readSecret } from "../../cli/secret-input";
import type { Terminal } from "../../cli/secret-input";
import { expectNoFile, expectRefusal, expectSuccess, por, removeTempDir, tempDir } from "../helpers/cli";
import { porInTerminal, porWithStdin, terminalAvailable } from "../helpers/terminal";

const ADDRESS_LINE = /^0x[0-9a-fA-F]{40}\n$/;

describe("por key (CLI)", function () {
  let dir: string;
  let ignitionDir: string;
  let passwordFile: string;

  before(async function () {
    dir = tempDir("key");
    ignitionDir = path.join(dir, "ignition");
    passwordFile = path.join(dir, "password.txt");
    await fs.writeFile(passwordFile, "correct horse battery\n", { mode: 0o600 });
  });

  after(function () {
    removeTempDir(dir);
  });

  const run = (args: string[], env: Record<string, string> = {}) => por(args, { env, ignitionDir });
  const file = (name: string) => path.join(dir, name);

  describe("key new", function () {
    it("creates a 0600 keystore with ethers' default scrypt, prints only its address, and `key address` reads it", async function () {
      const keystore = file("new.json");
      const out = expectSuccess(
        await run(["key", "new", "--keystore", keystore, "--password-file", passwordFile]),
      );
      expect(out).to.match(ADDRESS_LINE);
      expect((await fs.stat(keystore)).mode & 0o777).to.equal(0o600);
      const json = await fs.readFile(keystore, "utf8");
      expect((JSON.parse(json) as { Crypto: { kdfparams: { n: number } } }).Crypto.kdfparams.n).to.equal(
        1 << 17,
      );
      const wallet = await Wallet.fromEncryptedJson(json, "correct horse battery");
      expect(`${wallet.address}\n`).to.equal(out);

      expect(
        expectSuccess(await run(["key", "address", "--keystore", keystore, "--password-file", passwordFile])),
      ).to.equal(out);
    });

    it("refuses to replace a keystore without --force, and replaces it with --force", async function () {
      const keystore = file("new.json");
      const before = await fs.readFile(keystore, "utf8");
      expectRefusal(
        await run(["key", "new", "--keystore", keystore, "--password-file", passwordFile]),
        /new\.json already exists: pass --force to replace it \(the key it holds is lost unless you have a copy\)$/,
      );
      expect(await fs.readFile(keystore, "utf8")).to.equal(before);
      const replaced = expectSuccess(
        await run(["key", "new", "--keystore", keystore, "--password-file", passwordFile, "--force"]),
      );
      expect(replaced).to.match(ADDRESS_LINE);
      expect(await fs.readFile(keystore, "utf8")).to.not.equal(before);
    });

    it("refuses without a password file when stdin is not a terminal, and an empty password", async function () {
      const keystore = file("refused.json");
      expectRefusal(
        await run(["key", "new", "--keystore", keystore]),
        /^no password for the new keystore: pass --password-file FILE \(stdin is not a terminal to ask for one\)$/,
      );
      const empty = file("empty.txt");
      await fs.writeFile(empty, "\n");
      expectRefusal(
        await run(["key", "new", "--keystore", keystore, "--password-file", empty]),
        /^the keystore password must not be empty$/,
      );
      await expectNoFile(keystore);
    });

    it("asks for the password twice without echo at a terminal", async function () {
      if (!terminalAvailable()) this.skip();
      const keystore = file("typed.json");
      const password = "typed-secret-4711";
      const mismatch = await porInTerminal(
        ["key", "new", "--keystore", keystore],
        [
          { when: /New keystore password: $/, type: password },
          { when: /Repeat the password: $/, type: "something else" },
        ],
        { ignitionDir },
      );
      expect(mismatch.code).to.not.equal(0);
      expect(mismatch.screen).to.include("error: the two passwords differ; nothing was written");
      await expectNoFile(keystore);

      const typed = await porInTerminal(
        ["key", "new", "--keystore", keystore],
        [
          { when: /New keystore password: $/, type: password },
          { when: /Repeat the password: $/, type: password },
        ],
        { ignitionDir },
      );
      expect(typed.code, typed.screen).to.equal(0);
      expect(typed.screen).to.not.include(password);
      const address = /(0x[0-9a-fA-F]{40})\n$/.exec(typed.screen)?.[1];
      const wallet = await Wallet.fromEncryptedJson(await fs.readFile(keystore, "utf8"), password);
      expect(wallet.address).to.equal(address);
    });
  });

  describe("key import", function () {
    const key = Wallet.createRandom().privateKey;
    const address = new Wallet(key).address;

    it("imports a key piped on stdin, with the password from a file, never printing the key", async function () {
      const keystore = file("imported.json");
      const result = await porWithStdin(
        ["key", "import", "--keystore", keystore, "--password-file", passwordFile],
        `${key.slice(2)}\n`,
        { ignitionDir },
      );
      expect(expectSuccess(result)).to.equal(`${address}\n`);
      expect((await fs.stat(keystore)).mode & 0o777).to.equal(0o600);
      expect(
        expectSuccess(
          await run(["key", "address", "--keystore", keystore], {
            POR_KEYSTORE_PASSWORD: "correct horse battery",
          }),
        ),
      ).to.equal(`${address}\n`);
    });

    it("imports from --private-key-file", async function () {
      const keyFile = file("key.txt");
      await fs.writeFile(keyFile, `${key}\n`, { mode: 0o600 });
      const keystore = file("from-file.json");
      expect(
        expectSuccess(
          await run([
            "key",
            "import",
            "--keystore",
            keystore,
            "--password-file",
            passwordFile,
            "--private-key-file",
            keyFile,
          ]),
        ),
      ).to.equal(`${address}\n`);
    });

    it("refuses an invalid key without echoing it, and a piped key without a password file", async function () {
      const keystore = file("invalid.json");
      const bad = `${key.slice(0, 40)}`;
      const refused = await porWithStdin(
        ["key", "import", "--keystore", keystore, "--password-file", passwordFile],
        bad,
        { ignitionDir },
      );
      expectRefusal(refused, /^stdin is not a valid private key: expected 32 bytes as 0x-prefixed hex$/);
      expect(refused.stderr).to.not.include(bad.slice(2));
      const noPassword = await porWithStdin(["key", "import", "--keystore", keystore], key, { ignitionDir });
      expectRefusal(noPassword, /^no password for the new keystore: pass --password-file FILE/);
      expect(noPassword.stderr).to.not.include(key.slice(2));
      await expectNoFile(keystore);
    });

    it("reads a typed key without echo at a terminal", async function () {
      if (!terminalAvailable()) this.skip();
      const keystore = file("typed-import.json");
      const typed = await porInTerminal(
        ["key", "import", "--keystore", keystore, "--password-file", passwordFile],
        [{ when: /Private key: $/, type: key }],
        { ignitionDir },
      );
      expect(typed.code, typed.screen).to.equal(0);
      expect(typed.screen).to.not.include(key.slice(2));
      expect(typed.screen).to.match(new RegExp(`${address}\\n$`));
    });
  });

  describe("key address", function () {
    it("prints the address of $POR_PRIVATE_KEY and refuses when no key is configured", async function () {
      const key = Wallet.createRandom().privateKey;
      const out = expectSuccess(await run(["key", "address"], { POR_PRIVATE_KEY: key }));
      expect(out).to.equal(`${new Wallet(key).address}\n`);
      expectRefusal(
        await run(["key", "address"]),
        /^no signing key: set POR_PRIVATE_KEY or pass --keystore FILE/,
      );
    });
  });

  it("documents the three sub-commands in --help, and the password rules", async function () {
    const help = expectSuccess(await run(["key", "--help"]));
    for (const sub of ["new [options]", "import [options]", "address [options]"])
      expect(help).to.include(sub);
    expect(expectSuccess(await run(["key", "new", "--help"]))).to.match(/Never from an argument/);
  });

  describe("readSecret (in process)", function () {
    function fakeTerminal(): Terminal & { input: PassThrough; raw: boolean[]; shown: () => string } {
      const input = Object.assign(new PassThrough(), {
        isTTY: true,
        raw: [] as boolean[],
        setRawMode(mode: boolean) {
          input.raw.push(mode);
          return input;
        },
      });
      const output = new PassThrough();
      let shown = "";
      output.on("data", (chunk: Buffer) => (shown += chunk.toString()));
      return { input, output, raw: input.raw, shown: () => shown };
    }

    it("reads up to Enter with echo off, applying Backspace and Ctrl-U, and keeps what was typed ahead", async function () {
      const terminal = fakeTerminal();
      const first = readSecret("Password: ", terminal);
      terminal.input.write("junk\u0015pas\u007fss\rnext\r");
      expect(await first).to.equal("pass");
      expect(await readSecret("Again: ", terminal)).to.equal("next");
      expect(terminal.raw).to.deep.equal([true, false, true, false]);
      expect(terminal.shown()).to.equal("Password: \nAgain: \n");
    });

    it("rejects Ctrl-C and Ctrl-D on an empty line as cancelled, restoring the terminal", async function () {
      for (const key of ["\u0003", "\u0004"]) {
        const terminal = fakeTerminal();
        const pending = readSecret("Password: ", terminal);
        terminal.input.write(key);
        const err = await pending.catch((e: unknown) => e);
        expect(err).to.be.instanceOf(CancelledError);
        expect(terminal.raw).to.deep.equal([true, false]);
      }
    });
  });
});
