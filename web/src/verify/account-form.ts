import type { CustomerClaim } from "@por/sdk/liabilities/publication";

export interface AccountFields {
  accountId: HTMLInputElement;
  salt: HTMLInputElement;
  balance: HTMLInputElement;
  /** "Publication URI": the committed one, shown; or a mirror the visitor typed. */
  uri: HTMLInputElement;
  /** What the last check downloaded, one sentence. */
  download: HTMLElement;
}

export type ClaimRead =
  | { kind: "empty" }
  | { kind: "incomplete"; missing: string[] }
  | { kind: "invalid"; reason: string }
  /** `uri`: the visitor's mirror; undefined to take the one committed on-chain. */
  | { kind: "ready"; claim: CustomerClaim; uri: string | undefined };

/**
 * The "Check by my account details" form: account id, salt and balance, read into the SDK's
 * CustomerClaim, and the publication URI, which shows what the chain commits for the round until
 * the visitor types another (a mirror; the manifest must still hash to the committed one).
 */
export class AccountForm {
  /** The URI the chain committed for the round last checked ("" when none or not read). */
  private committedUri = "";
  private overridden = false;

  constructor(
    private readonly fields: AccountFields,
    onChange: () => void,
  ) {
    for (const input of [fields.accountId, fields.salt, fields.balance]) {
      input.addEventListener("input", onChange);
    }
    fields.uri.addEventListener("input", () => {
      const typed = fields.uri.value.trim();
      // Cleared, or set back to the committed one: the chain's URI is used (and shown) again.
      this.overridden = typed !== "" && typed !== this.committedUri;
      onChange();
    });
  }

  read(): ClaimRead {
    // Account ids never start or end with whitespace and are NFC (docs/liabilities-tree.md), so
    // trimming and normalizing can only turn a mistyped id into the committed one.
    const accountId = this.fields.accountId.value.trim().normalize("NFC");
    const saltText = this.fields.salt.value.trim();
    const balance = this.fields.balance.value.trim();
    const missing = [
      ...(accountId === "" ? ["your account id"] : []),
      ...(saltText === "" ? ["your salt"] : []),
      ...(balance === "" ? ["your balance"] : []),
    ];
    if (missing.length === 3) return { kind: "empty" };
    if (missing.length > 0) return { kind: "incomplete", missing };

    const salt = /^[0-9a-fA-F]{64}$/.test(saltText) ? `0x${saltText}` : saltText;
    if (!/^0x[0-9a-fA-F]{64}$/.test(salt))
      return { kind: "invalid", reason: "the salt must be 0x followed by 64 hex digits" };
    // The balance is read in the subject's decimals, known once the chain is read (checkByAccount).
    const uri = this.overridden ? this.fields.uri.value.trim() : undefined;
    return { kind: "ready", claim: { accountId, salt, balance }, uri };
  }

  /** Shows the URI the chain commits for the checked round, unless the visitor typed their own. */
  showCommittedUri(uri: string): void {
    this.committedUri = uri;
    if (!this.overridden) this.fields.uri.value = uri;
  }

  /** What was downloaded, or nothing. */
  showDownload(text: string | undefined): void {
    this.fields.download.textContent = text ?? "";
    this.fields.download.hidden = text === undefined;
  }
}
