import { isAddress } from "ethers";
import type { AttestedOn } from "@por/sdk/liabilities/proof";
import { formatSubjectId, parseSubjectId } from "@por/sdk/core/subject-id";
import type { Hex32 } from "@por/sdk/core/hex";
import { injectedWallet, queryParam, rememberedRpcUrl, rememberRpcUrl } from "../common/connection";

/** Where the on-chain check reads: an RPC URL or the browser's wallet. */
export type ChainSource = { kind: "rpc"; url: string } | { kind: "wallet" };

export interface ChainSettings {
  source: ChainSource;
  registry: string;
  subjectId: Hex32;
  /** Undefined: the subject's latest round. */
  round: bigint | undefined;
}

export type SettingsRead =
  | { kind: "ready"; settings: ChainSettings }
  | { kind: "incomplete"; missing: string[] }
  | { kind: "invalid"; reason: string };

export interface ChainFields {
  rpcUrl: HTMLInputElement;
  wallet: HTMLButtonElement;
  registry: HTMLInputElement;
  subject: HTMLInputElement;
  round: HTMLInputElement;
}

const MAX_ROUND = (1n << 80n) - 1n; // round ids are uint80

/**
 * The chain settings form: prefilled from the query (`rpc` over the remembered URL), from a proof's
 * `attestedOn` where still blank, and read into ChainSettings (or what is missing or malformed).
 */
export class ChainSettingsForm {
  private useWallet = false;

  constructor(
    private readonly fields: ChainFields,
    onChange: () => void,
  ) {
    fields.rpcUrl.value = queryParam("rpc") || rememberedRpcUrl();
    fields.registry.value = queryParam("registry");
    fields.subject.value = queryParam("subject");
    fields.round.value = queryParam("round");
    for (const input of [fields.rpcUrl, fields.registry, fields.subject, fields.round]) {
      input.addEventListener("input", onChange);
    }
    fields.rpcUrl.addEventListener("input", () => {
      this.setWallet(false); // typing a URL means the visitor wants it rather than the wallet
      const url = fields.rpcUrl.value.trim();
      if (url === "" || /^https?:\/\/./.test(url)) rememberRpcUrl(url);
    });
    if (injectedWallet()) {
      fields.wallet.hidden = false;
      fields.wallet.addEventListener("click", () => {
        this.setWallet(!this.useWallet);
        onChange();
      });
    }
  }

  /** Fills the registry and subject the proof names, where the visitor left them blank. */
  prefillFrom(attestedOn: AttestedOn): void {
    if (this.fields.registry.value.trim() === "") this.fields.registry.value = attestedOn.registry;
    if (this.fields.subject.value.trim() === "")
      this.fields.subject.value = formatSubjectId(attestedOn.subjectId);
  }

  read(): SettingsRead {
    const rpcUrl = this.fields.rpcUrl.value.trim();
    const registry = this.fields.registry.value.trim();
    const subject = this.fields.subject.value.trim();
    const round = this.fields.round.value.trim();
    const missing: string[] = [];
    if (!this.useWallet && rpcUrl === "")
      missing.push(injectedWallet() ? "an RPC URL (or use your browser wallet)" : "an RPC URL");
    if (registry === "") missing.push("the registry address");
    if (subject === "") missing.push("the subject");
    if (missing.length > 0) return { kind: "incomplete", missing };

    if (!isAddress(registry))
      return {
        kind: "invalid",
        reason: `the registry address ${quote(registry)} is not a 0x 20-byte address`,
      };
    let subjectId: Hex32;
    try {
      subjectId = parseSubjectId(subject);
    } catch (error) {
      return { kind: "invalid", reason: error instanceof Error ? error.message : String(error) };
    }
    let roundId: bigint | undefined;
    if (round !== "") {
      roundId = /^\d{1,30}$/.test(round) ? BigInt(round) : undefined;
      if (roundId === undefined || roundId < 1n || roundId > MAX_ROUND)
        return { kind: "invalid", reason: `the round ${quote(round)} is not a round number (1, 2, 3…)` };
    }
    const source: ChainSource = this.useWallet ? { kind: "wallet" } : { kind: "rpc", url: rpcUrl };
    return { kind: "ready", settings: { source, registry, subjectId, round: roundId } };
  }

  private setWallet(on: boolean): void {
    this.useWallet = on && injectedWallet() !== undefined;
    this.fields.wallet.setAttribute("aria-pressed", String(this.useWallet));
    this.fields.wallet.textContent = this.useWallet ? "Using browser wallet" : "Use browser wallet";
  }
}

/** A visitor's input quoted for a message, cut short. */
function quote(text: string): string {
  return JSON.stringify(text.length > 70 ? `${text.slice(0, 67)}…` : text);
}
