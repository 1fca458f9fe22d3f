import { promises as fs } from "node:fs";
import { encryptKeystoreJson, isKeystoreJson, Wallet } from "ethers";
import { KeyError } from "../core/errors";
import { checkOutputPath, CONFIDENTIAL_FILE_MODE, writeFileAtomic } from "./files";

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
  return parsePrivateKey(raw, PRIVATE_KEY_ENV);
}

/**
 * A wallet for the private key `text` (32 bytes as hex, with or without 0x; surrounding
 * whitespace ignored). Anything else is a KeyError naming `source` that never echoes the text.
 */
export function parsePrivateKey(text: string, source: string): Wallet {
  const raw = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? `0x${raw}` : raw;
  if (/^0x[0-9a-fA-F]{64}$/.test(key)) {
    try {
      return new Wallet(key);
    } catch {
      // zero, or not below the curve order: fall through
    }
  }
  throw new KeyError(`${source} is not a valid private key`, {
    details: "expected 32 bytes as 0x-prefixed hex",
  });
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

/** The password held in `file`: its content with one trailing newline stripped. */
export async function readPasswordFile(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, "utf8")).replace(/\r?\n$/, "");
  } catch (err) {
    throw new KeyError(`cannot read password file ${file}`, {
      details: (err as NodeJS.ErrnoException).code,
      cause: err,
    });
  }
}

async function keystorePassword(options: KeyOptions, env: NodeJS.ProcessEnv): Promise<string> {
  if (options.passwordFile !== undefined) return readPasswordFile(options.passwordFile);
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

/** How a new keystore is encrypted. */
export interface KeystoreEncryption {
  /**
   * scrypt cost parameter N (a power of 2) instead of ethers' default 2^17 (r = 8, p = 1), which
   * takes about a second per encryption or decryption on purpose. Only for tests: a lower N makes
   * the keystore that much cheaper to brute-force. The CLI never sets it.
   */
  scryptN?: number;
}

/** Refuses a password a new keystore must not have: an empty one, or one starting or ending with whitespace. */
export function checkNewPassword(password: string): void {
  if (password === "") throw new KeyError("the keystore password must not be empty");
  if (password.trim() !== password) {
    throw new KeyError("the keystore password must not start or end with whitespace", {
      details: "it is easy to lose when typed again or stored in a file",
    });
  }
}

/**
 * Encrypts `wallet` with `password` into a keystore (v3) and writes it to `file` with mode 0600,
 * atomically; an existing file is refused unless `force`. Returns the wallet's address.
 */
export async function writeKeystore(
  file: string,
  wallet: Wallet,
  password: string,
  options: KeystoreEncryption & { force?: boolean } = {},
): Promise<string> {
  checkNewPassword(password);
  const write = { replace: options.force, mode: CONFIDENTIAL_FILE_MODE, hint: KEYSTORE_OVERWRITE_HINT };
  await checkOutputPath(file, write);
  const json =
    options.scryptN === undefined
      ? await wallet.encrypt(password)
      : await encryptKeystoreJson(wallet, password, { scrypt: { N: options.scryptN } });
  await writeFileAtomic(file, json, write);
  return wallet.address;
}

/** Refuses early (before asking for a password) a keystore path writeKeystore would refuse. */
export async function checkNewKeystore(file: string, options: { force?: boolean } = {}): Promise<void> {
  await checkOutputPath(file, { replace: options.force, hint: KEYSTORE_OVERWRITE_HINT });
}

const KEYSTORE_OVERWRITE_HINT =
  "pass --force to replace it (the key it holds is lost unless you have a copy)";
