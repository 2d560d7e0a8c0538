// Everything a user or contributor needs is inside the repository: every relative link of every
// Markdown file lands on a file (and heading) that exists, and nothing points at notes outside it.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { anchorsOf, brokenLinks, extractLinks, headingSlug, repositoryFiles } from "./support/markdown-links.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
// Spelled in pieces so that this file does not match itself.
const OUTSIDE_NOTES = [["..", "shared"].join("/"), ["shared", "reference"].join("/")];

describe("docs in the repo: the link checker", () => {
  it("gives headings GitHub's anchors", () => {
    expect(headingSlug("Lead lists: the `domain_referrals` view")).toBe("lead-lists-the-domain_referrals-view");
    expect(headingSlug("1. Endpoints")).toBe("1-endpoints");
    expect(headingSlug("`startFakePartnerCenter(options?)`")).toBe("startfakepartnercenteroptions");
    expect(headingSlug("Exit codes & signals")).toBe("exit-codes--signals");
    expect([...anchorsOf("# A\n\n## Errors\n\n```md\n## Not a heading\n```\n\n## Errors\n")]).toEqual(["a", "errors", "errors-1"]);
  });

  it("finds links in prose, not in code", () => {
    const markdown = "See [a](a.md) and ![b](img/b.png \"title\").\n\n```md\n[c](c.md)\n```\n\n`[d](d.md)`\n\n[e]: <e.md#x>\n";
    expect(extractLinks(markdown)).toEqual([
      { line: 1, target: "a.md" },
      { line: 1, target: "img/b.png" },
      { line: 9, target: "e.md#x" },
    ]);
  });

  it("reports a missing file, a missing anchor and a link that leaves the repository", () => {
    const dir = mkdtempSync(join(tmpdir(), "pcr-links-"));
    try {
      mkdirSync(join(dir, "docs"));
      writeFileSync(join(dir, "docs", "guide.md"), "# Guide\n\n## Set up\n");
      const readme = [
        "[ok](docs/guide.md#set-up) [dir](docs) [self](#top) [web](https://example.com/x.md)",
        "[gone](docs/missing.md)",
        "[anchor](docs/guide.md#setup)",
        "[outside](../notes/design.md)",
        "# Top",
      ].join("\n");
      writeFileSync(join(dir, "README.md"), readme);
      expect(brokenLinks(dir, "README.md").map(({ line, problem }) => ({ line, problem }))).toEqual([
        { line: 2, problem: "missing_file" },
        { line: 3, problem: "missing_anchor" },
        { line: 4, problem: "outside_repository" },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("docs in the repo", () => {
  const files = repositoryFiles(root);

  it("every relative link in every Markdown file resolves (files and #anchors)", () => {
    const markdownFiles = files.filter((file) => file.endsWith(".md"));
    expect(markdownFiles).toContain("README.md");
    expect(markdownFiles).toContain("docs/architecture.md");
    expect(markdownFiles.flatMap((file) => brokenLinks(root, file))).toEqual([]);
  });

  it("no file of the repository points at notes outside it", () => {
    const offending: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(root, file), "utf8");
      if (text.includes("\0")) continue; // binary
      text.split("\n").forEach((line, index) => {
        if (OUTSIDE_NOTES.some((needle) => line.includes(needle))) offending.push(`${file}:${index + 1}`);
      });
    }
    expect(offending).toEqual([]);
  });
});
