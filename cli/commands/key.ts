import { promises as fs } from "node:fs";
import type { Command } from "commander";
import { Wallet } from "ethers";
import { KeyError } from "../../src/core/errors";
import {
  checkNewKeystore,
  checkNewPassword,
  parsePrivateKey,
  readPasswordFile,
  requireWallet,
  writeKeystore,
} from "../../src/node/keys";
import type { KeyOptions } from "../../src/node/keys";
import { action, optionsOf, output } from "../cli-kit";
import { keyOptions } from "./common";
import { isInteractive, processTerminal, readAllInput, readSecret } from "../secret-input";
import type { Terminal } from "../secret-input";

interface NewKeystoreOptions {
  keystore: string;
  passwordFile?: string;
  force?: boolean;
}

interface ImportOptions extends NewKeystoreOptions {
  privateKeyFile?: string;
}

const PASSWORD_RULES =
  "\nPassword: from --password-file FILE (one trailing newline stripped), else asked twice without echo." +
  "\nNever from an argument. Without a terminal and without --password-file, the command refuses." +
  "\nThe keystore is written with mode 0600; an existing file is refused unless --force.";

export function registerKey(program: Command): void {
  const key = program
    .command("key")
    .description("create and import encrypted keystores, show the configured key's address");

  newKeystoreOptions(
    key
      .command("new")
      .description("create a new random key in an encrypted JSON keystore; prints its address"),
  )
    .addHelpText("after", PASSWORD_RULES)
    .action(
      action(async (_opts: unknown, command: Command) => {
        const options = optionsOf<NewKeystoreOptions>(command);
        const terminal = processTerminal();
        await checkNewKeystore(options.keystore, options);
        const password = await newPassword(options, terminal);
        const address = await writeKeystore(
          options.keystore,
          // A plain key (no mnemonic): the keystore holds exactly what `key import` would.
          new Wallet(Wallet.createRandom().privateKey),
          password,
          options,
        );
        output(options, { address, keystore: options.keystore }, () => address);
      }),
    );

  newKeystoreOptions(
    key
      .command("import")
      .description("encrypt an existing private key into a JSON keystore; prints its address")
      .option(
        "--private-key-file <file>",
        "file holding the private key (hex); default: asked without echo, or read from stdin when it is not a terminal",
      ),
  )
    .addHelpText(
      "after",
      "\nPrivate key: from --private-key-file FILE, else asked without echo at a terminal, else read from" +
        "\nstdin (e.g. `pass show issuer-key | por key import --keystore k.json --password-file pw.txt`)." +
        "\n32 bytes as hex, with or without 0x. Never from an argument." +
        PASSWORD_RULES,
    )
    .action(
      action(async (_opts: unknown, command: Command) => {
        const options = optionsOf<ImportOptions>(command);
        const terminal = processTerminal();
        await checkNewKeystore(options.keystore, options);
        if (options.passwordFile === undefined && !isInteractive(terminal)) throw noTerminalForPassword();
        const wallet = await privateKeyToImport(options, terminal);
        const password = await newPassword(options, terminal);
        const address = await writeKeystore(options.keystore, wallet, password, options);
        output(options, { address, keystore: options.keystore }, () => address);
      }),
    );

  keyOptions(
    key.command("address").description("print the address of the configured key (nothing secret)"),
    "sign",
  ).action(
    action(async (_opts: unknown, command: Command) => {
      const options = optionsOf<KeyOptions>(command);
      const wallet = await requireWallet(options);
      output(options, { address: wallet.address }, () => wallet.address);
    }),
  );
}

function newKeystoreOptions(command: Command): Command {
  return command
    .requiredOption("--keystore <file>", "keystore file to write")
    .option("--password-file <file>", "file holding the new keystore's password")
    .option("--force", "replace an existing keystore file");
}

/** The new keystore's password: from --password-file, else typed twice without echo. */
async function newPassword(options: NewKeystoreOptions, terminal: Terminal): Promise<string> {
  if (options.passwordFile !== undefined) {
    const password = await readPasswordFile(options.passwordFile);
    checkNewPassword(password);
    return password;
  }
  if (!isInteractive(terminal)) throw noTerminalForPassword();
  const password = await readSecret("New keystore password: ", terminal);
  checkNewPassword(password);
  const again = await readSecret("Repeat the password: ", terminal);
  if (again !== password) throw new KeyError("the two passwords differ; nothing was written");
  return password;
}

function noTerminalForPassword(): KeyError {
  return new KeyError("no password for the new keystore", {
    details: "pass --password-file FILE (stdin is not a terminal to ask for one)",
  });
}

/** The key to import: from --private-key-file, else typed without echo, else all of stdin. */
async function privateKeyToImport(options: ImportOptions, terminal: Terminal): Promise<Wallet> {
  if (options.privateKeyFile !== undefined) {
    let text: string;
    try {
      text = await fs.readFile(options.privateKeyFile, "utf8");
    } catch (err) {
      throw new KeyError(`cannot read private key file ${options.privateKeyFile}`, {
        details: (err as NodeJS.ErrnoException).code,
        cause: err,
      });
    }
    return parsePrivateKey(text, options.privateKeyFile);
  }
  if (isInteractive(terminal))
    return parsePrivateKey(await readSecret("Private key: ", terminal), "the key typed");
  return parsePrivateKey(await readAllInput(terminal.input), "stdin");
}
