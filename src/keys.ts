import { promises as fs } from "node:fs";
import { isKeystoreJson, Wallet } from "ethers";
import { KeyError } from "./errors";

/** Environment variable holding a hex private key. */
export const PRIVATE_KEY_ENV = "POR_PRIVATE_KEY";
/** Environment variable holding the password of --keystore. */
export const KEYSTORE_PASSWORD_ENV = "POR_KEYSTORE_PASSWORD";

/** Where a signing key comes from. A raw key is never accepted as an argument. */
export interface KeyOptions {
  /** An ethers / geth encrypted JSON wallet (keystore v3). */
  keystore?: string;
  /** A file whose content (trailing newline stripped) is the keystore password. */
  passwordFile?: string;
}

/**
 * The signing key configured by `options` or the environment, or null if none is:
 * --keystore FILE (password from --password-file or $POR_KEYSTORE_PASSWORD), else $POR_PRIVATE_KEY.
 * A configured but unusable key is a KeyError with one clear line that never echoes the secret.
 */
export async function loadWallet(options: KeyOptions = {}, env = process.env): Promise<Wallet | null> {
  if (options.keystore !== undefined)
    return loadKeystore(options.keystore, await keystorePassword(options, env));
  if (options.passwordFile !== undefined) throw new KeyError("--password-file needs --keystore FILE");
  const raw = env[PRIVATE_KEY_ENV]?.trim();
  if (raw === undefined || raw === "") return null;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? `0x${raw}` : raw;
  try {
    return new Wallet(key);
  } catch {
    throw new KeyError(`${PRIVATE_KEY_ENV} is not a valid private key`, {
      details: "expected 32 bytes as 0x-prefixed hex",
    });
  }
}

/** Like loadWallet, but a missing key is a KeyError too. */
export async function requireWallet(options: KeyOptions = {}, env = process.env): Promise<Wallet> {
  const wallet = await loadWallet(options, env);
  if (wallet === null) {
    throw new KeyError("no signing key", {
      details: `set ${PRIVATE_KEY_ENV} or pass --keystore FILE (password in ${KEYSTORE_PASSWORD_ENV} or --password-file)`,
    });
  }
  return wallet;
}

async function keystorePassword(options: KeyOptions, env: NodeJS.ProcessEnv): Promise<string> {
  if (options.passwordFile !== undefined) {
    try {
      return (await fs.readFile(options.passwordFile, "utf8")).replace(/\r?\n$/, "");
    } catch (err) {
      throw new KeyError(`cannot read password file ${options.passwordFile}`, {
        details: (err as NodeJS.ErrnoException).code,
        cause: err,
      });
    }
  }
  const password = env[KEYSTORE_PASSWORD_ENV];
  if (password === undefined) {
    throw new KeyError(`keystore ${options.keystore} needs a password`, {
      details: `set ${KEYSTORE_PASSWORD_ENV} or pass --password-file FILE`,
    });
  }
  return password;
}

async function loadKeystore(file: string, password: string): Promise<Wallet> {
  let json: string;
  try {
    json = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new KeyError(`cannot read keystore ${file}`, {
      details: (err as NodeJS.ErrnoException).code,
      cause: err,
    });
  }
  if (!isKeystoreJson(json)) throw new KeyError(`${file} is not an encrypted JSON keystore`);
  try {
    const wallet = await Wallet.fromEncryptedJson(json, password);
    return wallet instanceof Wallet ? wallet : new Wallet(wallet.privateKey);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/incorrect password/i.test(message)) {
      throw new KeyError(`wrong password for keystore ${file}`, { cause: err });
    }
    throw new KeyError(`cannot decrypt keystore ${file}`, { details: message.split("\n")[0], cause: err });
  }
}
