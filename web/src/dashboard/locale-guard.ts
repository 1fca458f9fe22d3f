/**
 * uPlot builds `new Intl.NumberFormat(navigator.language)` when its module loads, which throws a
 * RangeError for a tag Intl rejects (headless Chromium under LANG=C.UTF-8 reports "en-US@posix")
 * and takes the whole page down. Imported before uPlot, this shadows such a tag with one Intl
 * accepts: the part before "@", else "en-US". Browsers with a well-formed language are untouched.
 */
function acceptedByIntl(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

if (typeof navigator !== "undefined" && !acceptedByIntl(navigator.language)) {
  const base = navigator.language.split("@")[0] ?? "";
  Object.defineProperty(navigator, "language", { value: acceptedByIntl(base) ? base : "en-US" });
}

export {};
