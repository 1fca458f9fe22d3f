import { getAddress, isAddress } from "ethers";
import type { Hex32 } from "@por/sdk/core/hex";
import { formatSubjectId, parseSubjectId } from "@por/sdk/core/subject-id";

/** What the dashboard reads: where (RPC, registry, first block for event queries) and which subject. */
export interface Settings {
  rpcUrl: string;
  registry: string;
  fromBlock: number;
  /** The subject page's subject; null for the overview of every subject. */
  subject: Hex32 | null;
}

/** The raw texts of the form and the `subject` query parameter. */
export interface SettingsInput {
  rpcUrl: string;
  registry: string;
  fromBlock: string;
  subject: string;
}

/**
 * Validated settings, or one sentence saying which field is wrong. Blank RPC URL or registry is not
 * an error but "nothing to show yet" (null), so a first visit starts with a hint, not a complaint.
 */
export function parseSettings(input: SettingsInput): Settings | { error: string } | null {
  const rpcUrl = input.rpcUrl.trim();
  const registry = input.registry.trim();
  if (rpcUrl === "" || registry === "") return null;
  if (!isAddress(registry))
    return { error: `Registry address ${JSON.stringify(registry)} is not a 0x-prefixed 20-byte address.` };
  const fromText = input.fromBlock.trim();
  if (fromText !== "" && !/^\d{1,15}$/.test(fromText))
    return {
      error: `From block must be a block number such as 0 or 1234567, not ${JSON.stringify(fromText)}.`,
    };
  let subject: Hex32 | null = null;
  if (input.subject.trim() !== "") {
    try {
      subject = parseSubjectId(input.subject.trim());
    } catch (error) {
      const reason = (error as { shortMessage?: string }).shortMessage ?? String(error);
      return { error: `The subject in the page address is not a valid id: ${reason}.` };
    }
  }
  return {
    rpcUrl,
    registry: getAddress(registry),
    fromBlock: fromText === "" ? 0 : Number(fromText),
    subject,
  };
}

/**
 * The page's own address for `settings` (relative, so the site works from any path), optionally for
 * one subject: the History links and the address bar both use it, so a view can be shared as a link.
 */
export function dashboardLink(settings: Omit<Settings, "subject">, subject?: Hex32 | null): string {
  const query = new URLSearchParams();
  query.set("registry", settings.registry);
  if (subject) query.set("subject", formatSubjectId(subject));
  query.set("rpc", settings.rpcUrl);
  if (settings.fromBlock > 0) query.set("from", String(settings.fromBlock));
  return `dashboard.html?${query.toString()}`;
}
