/**
 * The three ways a proof reaches the page: the "Proof file" input, a file (or text) dropped anywhere
 * on the page, and the "Proof JSON" textarea. A file's text is copied into the textarea, so the
 * visitor sees what is checked and the textarea stays the one source of truth.
 */

export interface ProofText {
  text: string;
  /** How messages name it: the file's name, or "the pasted proof". */
  source: string;
  /** Typed text waits for a pause; a chosen or dropped file is checked at once. */
  immediate: boolean;
  /** Set when a file could not be taken (too large, unreadable): why, in one sentence. */
  error?: string;
}

export interface ProofInputElements {
  file: HTMLInputElement;
  textarea: HTMLTextAreaElement;
  /** Highlighted while something is dragged over the page. */
  zone: HTMLElement;
}

const PASTED = "the pasted proof";
const MAX_FILE_BYTES = 1_000_000;

export function attachProofInput(els: ProofInputElements, onProof: (proof: ProofText) => void): void {
  let source = PASTED;

  const load = async (file: File): Promise<void> => {
    source = file.name;
    els.textarea.value = "";
    if (file.size > MAX_FILE_BYTES) {
      onProof({ text: "", source, immediate: true, error: `${source} is too large to be a proof package` });
      return;
    }
    let text: string;
    try {
      text = await file.text();
    } catch {
      onProof({ text: "", source, immediate: true, error: `${source} could not be read` });
      return;
    }
    els.textarea.value = text;
    onProof({ text, source, immediate: true });
  };

  els.file.addEventListener("change", () => {
    const file = els.file.files?.[0];
    if (file) void load(file);
  });

  els.textarea.addEventListener("input", () => {
    source = PASTED;
    onProof({ text: els.textarea.value, source, immediate: false });
  });

  // The whole page is the drop target: a visitor aims a file at the window, not at a small box.
  const page = document.documentElement;
  let depth = 0; // dragenter/dragleave fire for every child crossed
  page.addEventListener("dragenter", (event) => {
    event.preventDefault();
    depth++;
    els.zone.classList.add("dragging");
  });
  page.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) els.zone.classList.remove("dragging");
  });
  page.addEventListener("dragover", (event) => {
    event.preventDefault(); // allows the drop (the browser would otherwise open the file)
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
  });
  page.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    els.zone.classList.remove("dragging");
    const file = event.dataTransfer?.files[0];
    if (file) {
      void load(file);
      return;
    }
    const text = event.dataTransfer?.getData("text/plain") ?? "";
    if (text !== "") {
      source = PASTED;
      els.textarea.value = text;
      onProof({ text, source, immediate: true });
    }
  });
}
