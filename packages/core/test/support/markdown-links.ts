// Test support: the relative links of Markdown files and the anchors GitHub gives their headings,
// so a test can prove that every link a reader of the repository follows lands somewhere.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** One link found in a Markdown file. */
export interface MarkdownLink {
  /** 1-based line of the link. */
  line: number;
  /** The target as written, e.g. `../docs/configuration.md#defaults`. */
  target: string;
}

/** A link that does not resolve, and why. */
export interface BrokenLink extends MarkdownLink {
  file: string;
  problem: "missing_file" | "missing_anchor" | "outside_repository";
}

/** Text with fenced code blocks blanked out (line count kept) and inline code spans removed. */
function proseOnly(markdown: string): string[] {
  let fence: string | null = null;
  return markdown.split("\n").map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      return "";
    }
    if (marker !== undefined) {
      fence = marker;
      return "";
    }
    return line.replace(/(`+)[\s\S]*?\1/g, "");
  });
}

/** Every inline link, image and reference definition outside code. */
export function extractLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseOnly(markdown).forEach((text, index) => {
    for (const match of text.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: index + 1, target: (match[1] ?? "").replace(/^<|>$/g, "") });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(text);
    if (definition) links.push({ line: index + 1, target: (definition[1] ?? "").replace(/^<|>$/g, "") });
  });
  return links;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, each space a hyphen. */
export function headingSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** Every anchor a file offers: heading slugs (repeats get `-1`, `-2`, …) and explicit `id`/`name` attributes. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const line of markdown.split("\n")) {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      continue;
    }
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = headingSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? "");
  }
  return anchors;
}

/** Whether a target leaves the file system of the repository's own links (a URL or a mail address). */
function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");
}

/** The broken relative links of `file` (a path inside `root`). */
export function brokenLinks(root: string, file: string): BrokenLink[] {
  const absolute = resolve(root, file);
  const markdown = readFileSync(absolute, "utf8");
  const broken: BrokenLink[] = [];
  for (const link of extractLinks(markdown)) {
    if (isExternal(link.target)) continue;
    const hashAt = link.target.indexOf("#");
    const pathPart = decodeURI(hashAt === -1 ? link.target : link.target.slice(0, hashAt));
    const anchor = hashAt === -1 ? null : decodeURIComponent(link.target.slice(hashAt + 1));
    const targetPath = pathPart === "" ? absolute : resolve(dirname(absolute), pathPart.split("?")[0] ?? "");
    if (relative(root, targetPath).startsWith("..")) {
      broken.push({ file, ...link, problem: "outside_repository" });
      continue;
    }
    if (!existsSync(targetPath)) {
      broken.push({ file, ...link, problem: "missing_file" });
      continue;
    }
    if (anchor !== null && anchor !== "" && targetPath.endsWith(".md") && statSync(targetPath).isFile()) {
      if (!anchorsOf(readFileSync(targetPath, "utf8")).has(anchor)) broken.push({ file, ...link, problem: "missing_anchor" });
    }
  }
  return broken;
}

/** The repository's files: tracked ones plus new ones not ignored, as `git ls-files` lists them. */
export function repositoryFiles(root: string): string[] {
  const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  return [...new Set(out.split("\0").filter((path) => path !== "" && existsSync(join(root, path))))].sort();
}
